import fc from 'fast-check';
import { MICROS_PER_PAISA, formatMicros } from '../../src/core/money/money';
import { type LoanTerms, type ScheduledInstalment, buildSchedule, emiMicros, totalInterestMicros } from '../../src/core/money/emi';

const PAISA = MICROS_PER_PAISA;
/** The monthly rate is a / B for an annual rate a in E5 (percent × 10^5): B = 12 × 100 × 10^5. */
const B = 120_000_000n;
const RUNS = { numRuns: 300 };

/** The brief's domain: principal in whole paise from ₹1,000 to ₹1 crore, rate 0–36% (E5), tenure 1–360 months. */
const termsArb: fc.Arbitrary<LoanTerms> = fc.record({
  principalMicros: fc.bigInt({ min: 100_000n, max: 1_000_000_000n }).map((paise) => paise * PAISA),
  annualRateE5: fc.bigInt({ min: 0n, max: 3_600_000n }),
  tenureMonths: fc.integer({ min: 1, max: 360 }),
});

/** Small loans over long tenures at high rates: where the rounded EMI may not amortise at paisa precision. */
const edgeTermsArb: fc.Arbitrary<LoanTerms> = fc.record({
  principalMicros: fc.bigInt({ min: 100_000n, max: 5_000_000n }).map((paise) => paise * PAISA),
  annualRateE5: fc.bigInt({ min: 1_500_000n, max: 3_600_000n }),
  tenureMonths: fc.integer({ min: 180, max: 360 }),
});

const firstDueArb: fc.Arbitrary<string> = fc.oneof(
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2026-01-31', '2026-01-30', '2026-01-29', '2027-08-31', '2028-02-29', '2099-12-31', '2000-02-29'),
);

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/**
 * A sufficient condition, proved independently of the implementation, for the rounded EMI to amortise the
 * loan (no month repays zero principal, none overpays the balance). With π₁ = P·r / ((1+r)^n − 1) the exact
 * first-month principal and A = ((1+r)^n − 1) / (r·(1+r)^n) the annuity factor: every rounding (the EMI's ε
 * and each month's interest δ) is under half a paisa, so the rounded balance after k months is within
 * S_k = Σ_{j<k}(1+r)^j paise of the exact one, and month k's rounded principal is within (1+r)^(k−1) paise
 * of the exact π₁(1+r)^(k−1). Hence π₁ ≥ 1 paisa keeps every principal positive and π₁ ≥ A paise keeps it
 * below the balance. (At 0%: π₁ = P/n and A = n.) In integers, with c = B + a, G = c^n and H = B^n:
 * π₁ = P·a·H / (B·(G − H)) and A = B·(G − H) / (a·G).
 */
function provablyAmortises(t: LoanTerms): boolean {
  const n = BigInt(t.tenureMonths);
  const p = t.principalMicros;
  const a = t.annualRateE5;
  if (a === 0n) return p >= PAISA * n * n;
  const g = (B + a) ** n;
  const h = B ** n;
  return p * a * h >= PAISA * B * (g - h) && p * a * a * h * g >= PAISA * B * B * (g - h) ** 2n;
}

/** The schedule, or undefined when it was refused; a refusal must be a RangeError for terms outside the proven region. */
function scheduleOrRefusal(t: LoanTerms, firstDue: string): ScheduledInstalment[] | undefined {
  try {
    return buildSchedule(t, firstDue);
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    expect(provablyAmortises(t)).toBe(false);
    return undefined;
  }
}

/** Properties about schedules run on schedules: a (justified) refusal makes fast-check draw other terms. */
function schedule(t: LoanTerms, firstDue: string): ScheduledInstalment[] {
  const lines = scheduleOrRefusal(t, firstDue);
  fc.pre(lines !== undefined);
  return lines as ScheduledInstalment[];
}

/**
 * An independent EMI at 10^30 fixed point: (1+r)^n by square-and-multiply, then P·r·g / (g − 1), kept
 * unrounded (scaled by 10^30, in micros). At 0% it is P / n.
 */
const ONE = 10n ** 30n;
function referenceEmiScaled(t: LoanTerms): bigint {
  const p = t.principalMicros;
  if (t.annualRateE5 === 0n) return (p * ONE) / BigInt(t.tenureMonths);
  const r = (t.annualRateE5 * ONE) / B;
  let g = ONE;
  let base = ONE + r;
  for (let e = t.tenureMonths; e > 0; e >>= 1) {
    if (e & 1) g = (g * base) / ONE;
    base = (base * base) / ONE;
  }
  return (p * r * g) / (g - ONE);
}

/** Half-up to the paisa by quotient and remainder, and whether the value is within 1 micro of a half-paisa tie. */
function roundReference(scaled: bigint): { rounded: bigint; nearTie: boolean } {
  const unit = ONE * PAISA;
  const quotient = scaled / unit;
  const remainder = scaled % unit;
  return { rounded: (2n * remainder >= unit ? quotient + 1n : quotient) * PAISA, nearTie: abs(2n * remainder - unit) < 2n * ONE };
}

function lastDayOfMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

describe('EMI schedules (fast-check properties over ₹1,000–₹1 crore, 0–36%, 1–360 months)', () => {
  it('when any loan is scheduled, then the principals sum exactly to the amount lent', () => {
    fc.assert(
      fc.property(termsArb, firstDueArb, (t, due) => {
        const lines = schedule(t, due);
        expect(lines.reduce((sum, l) => sum + l.principalMicros, 0n)).toBe(t.principalMicros);
      }),
      RUNS,
    );
  });

  it('when any loan is scheduled, then every instalment but the last is exactly the EMI and every amount is whole paise', () => {
    fc.assert(
      fc.property(termsArb, firstDueArb, (t, due) => {
        const emi = emiMicros(t);
        const lines = schedule(t, due);
        const problems: string[] = [];
        lines.forEach((l, i) => {
          const last = i === lines.length - 1;
          if (l.sequence !== i + 1) problems.push(`#${i}: sequence ${l.sequence}`);
          if (!last && l.emiMicros !== emi) problems.push(`#${l.sequence}: emi ${l.emiMicros} ≠ ${emi}`);
          const amounts = [l.emiMicros, l.principalMicros, l.interestMicros, l.openingPrincipalMicros, l.closingPrincipalMicros];
          if (amounts.some((amount) => amount % PAISA !== 0n)) problems.push(`#${l.sequence}: not whole paise`);
          if (l.emiMicros !== l.principalMicros + l.interestMicros) problems.push(`#${l.sequence}: emi ≠ principal + interest`);
          // interest is the opening balance × a / B to within half a paisa
          if (2n * abs(l.interestMicros * B - l.openingPrincipalMicros * t.annualRateE5) > PAISA * B) problems.push(`#${l.sequence}: interest ${l.interestMicros}`);
        });
        expect(emi % PAISA).toBe(0n);
        expect(problems).toEqual([]);
      }),
      RUNS,
    );
  });

  it('when any loan is scheduled, then balances run from the principal down to exactly 0, never negative, each month opening where the last closed', () => {
    fc.assert(
      fc.property(termsArb, firstDueArb, (t, due) => {
        const lines = schedule(t, due);
        const problems: string[] = [];
        let opening = t.principalMicros;
        for (const l of lines) {
          if (l.openingPrincipalMicros !== opening) problems.push(`#${l.sequence}: opens at ${l.openingPrincipalMicros}, previous closed at ${opening}`);
          if (l.closingPrincipalMicros !== l.openingPrincipalMicros - l.principalMicros) problems.push(`#${l.sequence}: closing ≠ opening − principal`);
          if (l.closingPrincipalMicros < 0n) problems.push(`#${l.sequence}: negative balance ${l.closingPrincipalMicros}`);
          if (l.principalMicros <= 0n) problems.push(`#${l.sequence}: repays no principal`);
          opening = l.closingPrincipalMicros;
        }
        expect(problems).toEqual([]);
        expect(lines[lines.length - 1].closingPrincipalMicros).toBe(0n);
      }),
      RUNS,
    );
  });

  it('when any loan is scheduled, then the total paid is the principal plus the total interest, to the micro', () => {
    fc.assert(
      fc.property(termsArb, firstDueArb, (t, due) => {
        const lines = schedule(t, due);
        const interest = lines.reduce((sum, l) => sum + l.interestMicros, 0n);
        expect(totalInterestMicros(lines)).toBe(interest);
        expect(lines.reduce((sum, l) => sum + l.emiMicros, 0n)).toBe(t.principalMicros + interest);
      }),
      RUNS,
    );
  });

  it('when the rate is 0%, then the last instalment differs from the EMI by less than n paise (at most n/2)', () => {
    const zeroRate = termsArb.map((t) => ({ ...t, annualRateE5: 0n }));
    fc.assert(
      fc.property(zeroRate, firstDueArb, (t, due) => {
        const gap = abs(schedule(t, due).at(-1)!.emiMicros - emiMicros(t));
        const n = BigInt(t.tenureMonths);
        expect(gap < n * PAISA).toBe(true);
        expect(2n * gap <= n * PAISA).toBe(true);
      }),
      RUNS,
    );
  });

  it('when the rate is not 0%, then the last instalment differs from the EMI by less than n paise compounded at the loan rate, Σ_{j<n}(1+r)^j paise', () => {
    // last − EMI = Σ_k (δ_k − ε)(1+r)^(n−k), each |δ_k − ε| < 1 paisa (see provablyAmortises), and
    // Σ_{j<n}(1+r)^j = (c^n − B^n) / (a·B^(n−1)), which is n at 0%: so this is the "n paise" bound at any rate.
    fc.assert(
      fc.property(termsArb, firstDueArb, (t, due) => {
        const gap = abs(schedule(t, due).at(-1)!.emiMicros - emiMicros(t));
        const n = BigInt(t.tenureMonths);
        const a = t.annualRateE5;
        if (a === 0n) expect(gap < n * PAISA).toBe(true);
        else expect(gap * a * B ** (n - 1n) < PAISA * ((B + a) ** n - B ** n)).toBe(true);
      }),
      RUNS,
    );
  });

  it('when the rate is not 0%, then a flat "n paise" is not a bound: ₹95,45,775.60 at 16.74974% over 2 months ends 2 paise off the EMI', () => {
    const t = { principalMicros: 954_577_560_000n, annualRateE5: 1_674_974n, tenureMonths: 2 };
    const lines = buildSchedule(t, '2026-01-31');
    expect(emiMicros(t) - lines[1].emiMicros).toBe(2n * PAISA);
  });

  it('when the EMI is computed, then it is within a paisa of an independent 10^30 fixed-point EMI, and equal to its half-up rounding away from ties', () => {
    fc.assert(
      fc.property(termsArb, (t) => {
        const emi = emiMicros(t);
        const { rounded, nearTie } = roundReference(referenceEmiScaled(t));
        expect(abs(emi - rounded) <= PAISA).toBe(true);
        if (!nearTie) expect(emi).toBe(rounded);
      }),
      RUNS,
    );
  });

  it('when any int64 amount goes through its wire string, then it comes back unchanged', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (micros) => {
        const wire = formatMicros(micros);
        expect(wire).toMatch(/^(0|-?[1-9]\d*)$/);
        expect(BigInt(wire)).toBe(micros);
      }),
      { numRuns: 1_000 },
    );
  });

  it('when any loan is scheduled, then there are exactly n due dates, strictly increasing, one calendar month apart on the first date\'s day clamped to the month end', () => {
    fc.assert(
      fc.property(termsArb, firstDueArb, (t, due) => {
        const dates = schedule(t, due).map((l) => l.dueDate);
        expect(dates).toHaveLength(t.tenureMonths);
        expect(dates[0]).toBe(due);
        const anchor = parseInt(due.slice(8, 10), 10);
        const problems: string[] = [];
        for (let i = 1; i < dates.length; i++) {
          const [y0, m0] = dates[i - 1].split('-').map((part) => parseInt(part, 10));
          const [y, m, d] = dates[i].split('-').map((part) => parseInt(part, 10));
          const expectedDay = anchor < lastDayOfMonth(y, m) ? anchor : lastDayOfMonth(y, m);
          if (!(dates[i] > dates[i - 1])) problems.push(`${dates[i]} does not follow ${dates[i - 1]}`);
          if (y * 12 + m !== y0 * 12 + m0 + 1 || d !== expectedDay) problems.push(`${dates[i]} is not the month after ${dates[i - 1]} on day ${expectedDay}`);
        }
        expect(problems).toEqual([]);
      }),
      RUNS,
    );
  });

  it('when terms provably amortise at paisa precision, then the schedule is never refused; otherwise it is a valid schedule or a RangeError, never a negative balance', () => {
    fc.assert(
      fc.property(fc.oneof(termsArb, edgeTermsArb), firstDueArb, (t, due) => {
        const lines = scheduleOrRefusal(t, due);
        if (provablyAmortises(t)) expect(lines).toBeDefined();
        if (lines === undefined) return;
        expect(lines.every((l) => l.closingPrincipalMicros >= 0n && l.principalMicros >= 0n)).toBe(true);
        expect(lines.reduce((sum, l) => sum + l.principalMicros, 0n)).toBe(t.principalMicros);
        expect(lines[lines.length - 1].closingPrincipalMicros).toBe(0n);
      }),
      { numRuns: 500 },
    );
  });
});
