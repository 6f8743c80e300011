import fc from 'fast-check';
import { MICROS_PER_PAISA, formatMicros } from '../../src/core/money/money';
import { buildSchedule, emiMicros } from '../../src/core/money/emi';

const PAISA = MICROS_PER_PAISA;
/** Principal in whole paise from ₹10,000 to ₹1 crore, rate 0–36% (E5), tenure 1–120 months. */
const terms = fc.record({
  principalMicros: fc.bigInt({ min: 1_000_000n, max: 1_000_000_000n }).map((paise) => paise * PAISA),
  annualRateE5: fc.bigInt({ min: 0n, max: 3_600_000n }),
  tenureMonths: fc.integer({ min: 1, max: 120 }),
});

/**
 * How far rounding can push the last instalment: each month's EMI and interest are each off by at most half
 * a paisa, and a paisa of balance left in month k grows to (1+r)^(n−k) by the end. So the gap is at most
 * Σ_{k<n} (1+r)^k paise (+1 for the last month's own interest rounding).
 */
function roundingBound(rateE5: bigint, n: number): bigint {
  const ONE = 10n ** 30n;
  const r = (rateE5 * ONE) / 120_000_000n;
  let power = ONE;
  let sum = 0n;
  for (let k = 0; k < n; k++) {
    sum += power;
    power = (power * (ONE + r)) / ONE;
  }
  return (sum / ONE + 2n) * PAISA;
}
const firstDue = fc.date({ min: new Date('2020-01-01'), max: new Date('2040-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

/** An independent EMI: (1+r)^n by repeated multiplication at 10^30 fixed point, then P·r·g/(g−1), half-up to the paisa. */
function referenceEmi(p: bigint, rateE5: bigint, n: number): bigint {
  const ONE = 10n ** 30n;
  if (rateE5 === 0n) return ((p * 2n) / BigInt(n) + PAISA) / (2n * PAISA) * PAISA;
  const r = (rateE5 * ONE) / 120_000_000n;
  let g = ONE;
  for (let i = 0; i < n; i++) g = (g * (ONE + r)) / ONE;
  const emi = (p * r * g) / ONE / (g - ONE);
  return ((emi * 2n) / PAISA + 1n) / 2n * PAISA;
}

describe('EMI schedules (fast-check properties)', () => {
  it('principals sum exactly to the loan, and the last balance is zero', () => {
    fc.assert(
      fc.property(terms, firstDue, (t, due) => {
        const schedule = buildSchedule(t, due);
        expect(schedule.reduce((sum, l) => sum + l.principalMicros, 0n)).toBe(t.principalMicros);
        expect(schedule[schedule.length - 1].closingPrincipalMicros).toBe(0n);
      }),
      { numRuns: 300 },
    );
  });

  it('every instalment but the last is exactly the EMI, and every amount is whole paise', () => {
    fc.assert(
      fc.property(terms, firstDue, (t, due) => {
        const emi = emiMicros(t);
        const schedule = buildSchedule(t, due);
        schedule.slice(0, -1).forEach((l) => expect(l.emiMicros).toBe(emi));
        for (const l of schedule) {
          for (const amount of [l.emiMicros, l.principalMicros, l.interestMicros]) expect(amount % PAISA).toBe(0n);
          expect(l.emiMicros).toBe(l.principalMicros + l.interestMicros);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('balances never go negative and each month opens where the last one closed', () => {
    fc.assert(
      fc.property(terms, firstDue, (t, due) => {
        const schedule = buildSchedule(t, due);
        let opening = t.principalMicros;
        for (const l of schedule) {
          expect(l.openingPrincipalMicros).toBe(opening);
          expect(l.closingPrincipalMicros >= 0n).toBe(true);
          expect(l.principalMicros >= 0n).toBe(true);
          opening = l.closingPrincipalMicros;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the last instalment absorbs only rounding: its gap to the EMI stays within the compounded half-paisa roundings', () => {
    fc.assert(
      fc.property(terms, firstDue, (t, due) => {
        const emi = emiMicros(t);
        const last = buildSchedule(t, due).at(-1)!;
        const gap = last.emiMicros > emi ? last.emiMicros - emi : emi - last.emiMicros;
        expect(gap <= roundingBound(t.annualRateE5, t.tenureMonths)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('for the products offered (up to 36 months), the last instalment is within 36 paise of the EMI', () => {
    const offered = fc.record({
      principalMicros: fc.bigInt({ min: 1_000_000n, max: 50_000_000n }).map((paise) => paise * PAISA),
      annualRateE5: fc.bigInt({ min: 0n, max: 3_600_000n }),
      tenureMonths: fc.integer({ min: 1, max: 36 }),
    });
    fc.assert(
      fc.property(offered, firstDue, (t, due) => {
        const emi = emiMicros(t);
        const last = buildSchedule(t, due).at(-1)!;
        const gap = last.emiMicros > emi ? last.emiMicros - emi : emi - last.emiMicros;
        expect(gap <= 36n * PAISA).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('when the paisa-rounded EMI would repay no principal (₹1,000 at 36% over 30 years), then the schedule is refused, never a balloon or a negative balance', () => {
    expect(() => buildSchedule({ principalMicros: 1_000_000_000n, annualRateE5: 3_600_000n, tenureMonths: 360 }, '2026-12-22')).toThrow(RangeError);
  });

  it('total paid is principal plus total interest, to the micro', () => {
    fc.assert(
      fc.property(terms, firstDue, (t, due) => {
        const schedule = buildSchedule(t, due);
        const paid = schedule.reduce((sum, l) => sum + l.emiMicros, 0n);
        const interest = schedule.reduce((sum, l) => sum + l.interestMicros, 0n);
        expect(paid).toBe(t.principalMicros + interest);
      }),
      { numRuns: 300 },
    );
  });

  it('the EMI is within a paisa of an independently computed high-precision EMI', () => {
    fc.assert(
      fc.property(terms, (t) => {
        const gap = emiMicros(t) - referenceEmi(t.principalMicros, t.annualRateE5, t.tenureMonths);
        expect(gap <= PAISA && gap >= -PAISA).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('due dates are exactly n and strictly increasing, one calendar month apart', () => {
    fc.assert(
      fc.property(terms, firstDue, (t, due) => {
        const dates = buildSchedule(t, due).map((l) => l.dueDate);
        expect(dates).toHaveLength(t.tenureMonths);
        expect(dates[0]).toBe(due);
        for (let i = 1; i < dates.length; i++) expect(dates[i] > dates[i - 1]).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('amounts round-trip through their wire string for every int64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (micros) => {
        expect(BigInt(formatMicros(micros))).toBe(micros);
      }),
      { numRuns: 500 },
    );
  });
});
