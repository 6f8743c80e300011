import fc from 'fast-check';
import { MICROS_PER_PAISA } from '../../src/core/money/money';
import { buildSchedule } from '../../src/core/money/emi';
import { accrualOnDay, accruedInterestTo } from '../../src/core/loan/accrual';
import { addDays, daysBetween } from '../../src/core/shared/dates';
import { type ChargeDue, type InstalmentDue, type LoanDues, allocateRepayment, dueNowMicros, payoffMicros } from '../../src/core/loan/allocation';
import { reamortise } from '../../src/core/loan/reamortise';
import { forecloseSchedule, foreclosureQuote } from '../../src/core/loan/foreclosure';
import { coolingOffExit } from '../../src/core/loan/cooling-off';
import { type AssetClass, assetClassOf, daysPastDue } from '../../src/core/loan/delinquency';

/**
 * The servicing arithmetic for any loan: the allocation order and its conservation, re-amortised schedules,
 * foreclosed schedules and the daily accrual.
 */

const PAISA = MICROS_PER_PAISA;
const RUNS = { numRuns: 300 };
const paise = (min: bigint, max: bigint) => fc.bigInt({ min, max }).map((p) => p * PAISA);
const sum = (values: readonly bigint[]) => values.reduce((s, v) => s + v, 0n);
const DISBURSED = '2027-01-10';
const FIRST_DUE = '2027-02-10';

const termsArb = fc.record({
  principalMicros: paise(1_000_000n, 500_000_000n),
  annualRateE5: fc.bigInt({ min: 0n, max: 3_600_000n }),
  tenureMonths: fc.integer({ min: 2, max: 36 }),
});

const scheduleOf = (terms: { principalMicros: bigint; annualRateE5: bigint; tenureMonths: number }) =>
  buildSchedule(terms, FIRST_DUE).map((line, k, all) => ({ ...line, accruesFrom: k === 0 ? DISBURSED : all[k - 1].dueDate, principalPaidMicros: 0n, interestPaidMicros: 0n }));

/** A loan on some business date: a real schedule, instalments paid in any part (future ones untouched), some charges. */
const duesArb: fc.Arbitrary<LoanDues> = fc
  .record({
    terms: termsArb,
    dayOffset: fc.integer({ min: 0, max: 1200 }),
    paidShares: fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: 100n })), { minLength: 36, maxLength: 36 }),
    charges: fc.array(fc.record({ id: fc.uuid(), day: fc.integer({ min: 0, max: 1200 }), outstandingMicros: paise(0n, 100_000n) }), { maxLength: 4 }),
  })
  .map(({ terms, dayOffset, paidShares, charges }) => {
    const asOf = addDays(DISBURSED, dayOffset);
    const instalments: InstalmentDue[] = scheduleOf(terms).map((line, k) => {
      if (line.dueDate > asOf) return line;
      const [i, p] = paidShares[k];
      // Whole paise of each part, from nothing to all of it.
      return { ...line, interestPaidMicros: ((line.interestMicros / PAISA) * i / 100n) * PAISA, principalPaidMicros: ((line.principalMicros / PAISA) * p / 100n) * PAISA };
    });
    const levied: ChargeDue[] = charges.filter((c) => c.day <= dayOffset).map((c) => ({ id: c.id, leviedOn: addDays(DISBURSED, c.day), outstandingMicros: c.outstandingMicros }));
    return { asOf, charges: levied, instalments, principalOutstandingMicros: sum(instalments.map((l) => l.principalMicros - l.principalPaidMicros)) };
  });

const amountArb = paise(1n, 600_000_000n);

/** The buckets of THE ORDER with what each could take and what it took. */
function buckets(dues: LoanDues, amount: bigint) {
  const a = allocateRepayment(amount, dues);
  const byDue = [...dues.instalments].sort((x, y) => x.sequence - y.sequence);
  const overdue = byDue.filter((l) => l.dueDate < dues.asOf);
  const current = byDue.filter((l) => l.dueDate === dues.asOf);
  const paidLine = (sequence: number) => a.lines.find((l) => l.sequence === sequence) ?? { interestMicros: 0n, principalMicros: 0n };
  const charges = [...dues.charges].sort((x, y) => (x.leviedOn === y.leviedOn ? (x.id < y.id ? -1 : 1) : x.leviedOn < y.leviedOn ? -1 : 1));
  const duePrincipal = sum([...overdue, ...current].map((l) => l.principalMicros - l.principalPaidMicros));
  const list: { name: string; cap: bigint; got: bigint }[] = [
    ...charges.map((c) => ({ name: `charge ${c.id}`, cap: c.outstandingMicros, got: a.charges.find((p) => p.id === c.id)?.micros ?? 0n })),
    ...overdue.map((l) => ({ name: `overdue interest ${l.sequence}`, cap: l.interestMicros - l.interestPaidMicros, got: paidLine(l.sequence).interestMicros })),
    ...overdue.map((l) => ({ name: `overdue principal ${l.sequence}`, cap: l.principalMicros - l.principalPaidMicros, got: paidLine(l.sequence).principalMicros })),
    ...current.flatMap((l) => [
      { name: `current interest ${l.sequence}`, cap: l.interestMicros - l.interestPaidMicros, got: paidLine(l.sequence).interestMicros },
      { name: `current principal ${l.sequence}`, cap: l.principalMicros - l.principalPaidMicros, got: paidLine(l.sequence).principalMicros },
    ]),
    { name: 'prepayment', cap: dues.principalOutstandingMicros - duePrincipal, got: a.prepaymentMicros },
  ];
  return { a, list };
}

describe('allocating a repayment of any kind', () => {
  it('when any amount is paid on any loan on any day, then not a paisa is created or lost: charges + interest + principal + excess = amount, and the parts add up to the totals', () => {
    fc.assert(fc.property(duesArb, amountArb, (dues, amount) => {
      const a = allocateRepayment(amount, dues);
      expect(a.chargesMicros + a.interestMicros + a.principalMicros + a.excessMicros).toBe(amount);
      expect(sum(a.charges.map((c) => c.micros))).toBe(a.chargesMicros);
      expect(sum(a.lines.map((l) => l.interestMicros))).toBe(a.interestMicros);
      expect(sum(a.lines.map((l) => l.principalMicros)) + a.prepaymentMicros).toBe(a.principalMicros);
      expect(a.excessMicros >= 0n && a.prepaymentMicros >= 0n).toBe(true);
    }), RUNS);
  });

  it('when any amount is paid, then no charge, interest, principal or prepayment receives more than is left of it, and a future instalment\'s interest is never paid', () => {
    fc.assert(fc.property(duesArb, amountArb, (dues, amount) => {
      const { a, list } = buckets(dues, amount);
      for (const bucket of list) expect(bucket.got >= 0n && bucket.got <= bucket.cap).toBe(true);
      for (const line of a.lines) expect(dues.instalments.find((l) => l.sequence === line.sequence)!.dueDate <= dues.asOf).toBe(true);
    }), RUNS);
  });

  it('when any amount is paid, then it follows the order: charges oldest first, overdue interest, overdue principal, current dues, prepayment, excess; nothing later receives a paisa while something earlier is left unpaid', () => {
    fc.assert(fc.property(duesArb, amountArb, (dues, amount) => {
      const { a, list } = buckets(dues, amount);
      // The first bucket left short is the last to receive anything.
      const short = list.findIndex((b) => b.got < b.cap);
      if (short >= 0) {
        for (const later of list.slice(short + 1)) expect(`${later.name} got ${later.got}`).toBe(`${later.name} got 0`);
        expect(a.excessMicros).toBe(0n);
      }
    }), RUNS);
  });

  it('when the amount paid is what is due now, then everything due is paid and nothing is prepaid; when it is the payoff, then the principal is all repaid and nothing is excess', () => {
    fc.assert(fc.property(duesArb, (dues) => {
      const due = dueNowMicros(dues);
      if (due > 0n) {
        const a = allocateRepayment(due, dues);
        expect([a.prepaymentMicros, a.excessMicros]).toEqual([0n, 0n]);
      }
      const payoff = payoffMicros(dues, 0n);
      if (payoff > 0n) {
        const a = allocateRepayment(payoff, dues);
        expect(a.excessMicros).toBe(0n);
        expect(a.principalMicros).toBe(dues.principalOutstandingMicros);
      }
    }), RUNS);
  });

  it('when the amount is not positive or the dues are corrupt, then it is refused', () => {
    const dues: LoanDues = { asOf: '2027-03-10', charges: [], instalments: [{ sequence: 1, dueDate: '2027-03-10', principalMicros: 100n * PAISA, interestMicros: 10n * PAISA, principalPaidMicros: 0n, interestPaidMicros: 0n }], principalOutstandingMicros: 100n * PAISA };
    expect(() => allocateRepayment(0n, dues)).toThrow(RangeError);
    expect(() => allocateRepayment(-PAISA, dues)).toThrow(RangeError);
    expect(() => allocateRepayment(PAISA, { ...dues, principalOutstandingMicros: 99n * PAISA })).toThrow(RangeError);
    expect(() => allocateRepayment(PAISA, { ...dues, instalments: [{ ...dues.instalments[0], interestPaidMicros: 11n * PAISA }] })).toThrow(RangeError);
    expect(() => allocateRepayment(PAISA, { ...dues, instalments: [dues.instalments[0], dues.instalments[0]] })).toThrow(RangeError);
    expect(() => allocateRepayment(PAISA, { ...dues, charges: [{ id: 'c', leviedOn: '2027-03-01', outstandingMicros: -PAISA }] })).toThrow(RangeError);
    expect(() => allocateRepayment(PAISA, { ...dues, asOf: '2027-02-30' })).toThrow(RangeError);
  });
});

/** A loan part-prepaid on some day: the schedule, how many instalments were paid, the day within the next period, the new principal. */
const prepaymentArb = fc
  .record({
    terms: termsArb,
    paidCount: fc.integer({ min: 0, max: 35 }),
    dayShare: fc.integer({ min: 0, max: 99 }),
    keptShare: fc.bigInt({ min: 10n, max: 99n }),
    mode: fc.constantFrom('REDUCE_EMI' as const, 'REDUCE_TENURE' as const),
  })
  .map(({ terms, paidCount, dayShare, keptShare, mode }) => {
    const schedule = scheduleOf(terms);
    const paid = Math.min(paidCount, schedule.length - 1);
    const future = schedule.slice(paid);
    const period = daysBetween(future[0].accruesFrom, future[0].dueDate);
    const asOf = addDays(future[0].accruesFrom, Math.floor((period * dayShare) / 100));
    const oldPrincipalMicros = future[0].openingPrincipalMicros;
    const newPrincipalMicros = ((oldPrincipalMicros / PAISA) * keptShare / 100n) * PAISA;
    return { terms, schedule, input: { newPrincipalMicros, oldPrincipalMicros, annualRateE5: Number(terms.annualRateE5), mode, currentEmiMicros: schedule[0].emiMicros, asOf, future } };
  });

describe('re-amortising after a part-prepayment', () => {
  it('when any loan is part-prepaid on any day with either choice, then the new principals sum exactly to the new principal, none is ≤ 0, every amount is whole paise, and the due dates are the old ones', () => {
    fc.assert(fc.property(prepaymentArb, ({ input }) => {
      const lines = reamortise(input);
      expect(sum(lines.map((l) => l.principalMicros))).toBe(input.newPrincipalMicros);
      for (const line of lines) {
        expect(line.principalMicros > 0n).toBe(true);
        expect(line.emiMicros).toBe(line.principalMicros + line.interestMicros);
        expect([line.principalMicros % PAISA, line.interestMicros % PAISA]).toEqual([0n, 0n]);
      }
      expect(lines.map((l) => [l.sequence, l.dueDate])).toEqual(input.future.slice(0, lines.length).map((l) => [l.sequence, l.dueDate]));
    }), RUNS);
  });

  it('when the borrower keeps the tenure (REDUCE_EMI), then every instalment is kept, all but the first and the last at one new EMI; when the borrower keeps the EMI (REDUCE_TENURE), then there are no more instalments than before and each but the last is the old EMI', () => {
    fc.assert(fc.property(prepaymentArb, ({ input }) => {
      const lines = reamortise(input);
      if (input.mode === 'REDUCE_EMI') {
        expect(lines).toHaveLength(input.future.length);
        expect(new Set(lines.slice(1, -1).map((l) => l.emiMicros)).size <= 1).toBe(true);
      } else {
        expect(lines.length <= input.future.length).toBe(true);
        for (const line of lines.slice(0, -1)) expect(line.emiMicros).toBe(input.currentEmiMicros);
      }
    }), RUNS);
  });

  it('when the prepayment is made, then the next instalment\'s interest is the old balance\'s accrual to the day plus the new balance\'s interest for the rest of the period, never more than it was', () => {
    fc.assert(fc.property(prepaymentArb, ({ input }) => {
      const [first] = reamortise(input);
      expect(first.interestMicros >= accruedInterestTo(input.future[0], input.asOf)).toBe(true);
      expect(first.interestMicros <= input.future[0].interestMicros + PAISA).toBe(true);
    }), RUNS);
  });
});

describe('foreclosing a schedule', () => {
  const foreclosureArb = fc.record({ dues: duesArb, share: fc.bigInt({ min: 0n, max: 100n }) });

  it('when any loan is foreclosed on any day, then the schedule\'s total principal is unchanged, the running instalment is due that day with its accrued interest, and the later ones are cancelled', () => {
    fc.assert(fc.property(termsArb, fc.integer({ min: 0, max: 1200 }), (terms, offset) => {
      const schedule = scheduleOf(terms);
      const asOf = addDays(DISBURSED, offset);
      const running = schedule.find((l) => l.dueDate > asOf);
      const accrued = running ? accruedInterestTo(running, asOf) : 0n;
      const { instalments, cancelled } = forecloseSchedule(schedule, asOf, accrued);
      expect(sum(instalments.map((l) => l.principalMicros))).toBe(sum(schedule.map((l) => l.principalMicros)));
      if (!running) {
        expect(cancelled).toEqual([]);
        return;
      }
      const brought = instalments.find((l) => l.sequence === running.sequence)!;
      expect([brought.dueDate, brought.interestMicros]).toEqual([asOf, accrued]);
      expect(cancelled).toEqual(schedule.filter((l) => l.sequence > running.sequence).map((l) => l.sequence));
      expect(instalments.every((l) => l.dueDate <= asOf)).toBe(true);
    }), RUNS);
  });

  it('when a quote is made for any figures, then its total is the sum of its parts, and a floating-rate loan or a product without a rate carries no foreclosure charge', () => {
    fc.assert(fc.property(foreclosureArb, paise(0n, 10_000_000n), fc.integer({ min: 0, max: 500_000 }), fc.constantFrom('FIXED' as const, 'FLOATING' as const), ({ dues, share }, excess, rate, rateType) => {
      const interest = (dues.principalOutstandingMicros / 100n / PAISA) * share * PAISA / 100n;
      const q = foreclosureQuote({ asOf: dues.asOf, principalOutstandingMicros: dues.principalOutstandingMicros, interestAccruedUnpaidMicros: interest - (interest % PAISA), chargesOutstandingMicros: sum(dues.charges.map((c) => c.outstandingMicros)), excessMicros: excess, foreclosureChargeRateE5: rate, rateType, gstRateE5: 1_800_000 });
      expect(q.totalMicros).toBe(q.principalMicros + q.interestMicros + q.chargesMicros + q.foreclosureChargeMicros + q.foreclosureChargeGstMicros - q.excessMicros);
      if (rateType === 'FLOATING' || rate === 0) expect([q.foreclosureChargeMicros, q.foreclosureChargeGstMicros]).toEqual([0n, 0n]);
      expect(q.validOn).toBe(dues.asOf);
    }), RUNS);
  });
});

describe('the daily accrual of an instalment\'s interest', () => {
  const lineArb = fc.record({
    interestMicros: paise(0n, 10_000_000n),
    start: fc.integer({ min: 0, max: 3000 }),
    period: fc.integer({ min: 1, max: 400 }),
  }).map(({ interestMicros, start, period }) => ({ interestMicros, accruesFrom: addDays('2026-01-01', start), dueDate: addDays('2026-01-01', start + period), period }));

  it('when the business date moves on, then the accrued interest never falls, is 0 up to the start of the period and exactly the interest from the due date on', () => {
    fc.assert(fc.property(lineArb, (line) => {
      let before = -1n;
      for (let d = -3; d <= line.period + 3; d++) {
        const accrued = accruedInterestTo(line, addDays(line.accruesFrom, d));
        expect(accrued >= before && accrued % PAISA === 0n).toBe(true);
        if (d <= 0) expect(accrued).toBe(0n);
        if (d >= line.period) expect(accrued).toBe(line.interestMicros);
        before = accrued;
      }
    }), { numRuns: 150 });
  });

  it('when each day\'s accrual is booked, then the daily amounts are never negative and sum to exactly the instalment\'s interest', () => {
    fc.assert(fc.property(lineArb, (line) => {
      const days = Array.from({ length: line.period }, (_, i) => accrualOnDay(line, addDays(line.accruesFrom, i + 1)));
      expect(days.every((d) => d >= 0n)).toBe(true);
      expect(sum(days)).toBe(line.interestMicros);
    }), { numRuns: 150 });
  });

  it('when ₹1,125.56 accrues over 31 days, then 10 days in it is ₹363.08 (1,125.56 × 10 / 31 = 363.0839, half up)', () => {
    expect(accruedInterestTo({ interestMicros: 1_125_560_000n, accruesFrom: '2027-03-10', dueDate: '2027-04-10' }, '2027-03-20')).toBe(363_080_000n);
    expect(() => accruedInterestTo({ interestMicros: PAISA, accruesFrom: '2027-03-10', dueDate: '2027-03-10' }, '2027-03-10')).toThrow(RangeError);
  });
});

describe('days past due and the asset class', () => {
  const line = (sequence: number, dueDate: string, paid: boolean): InstalmentDue => ({ sequence, dueDate, principalMicros: 100n * PAISA, interestMicros: 10n * PAISA, principalPaidMicros: paid ? 100n * PAISA : 0n, interestPaidMicros: paid ? 10n * PAISA : 0n });

  it('when the oldest unpaid instalment was due on 10 February, then on 12 March the loan is 30 days past due; an instalment due today is not past due; nothing unpaid is 0', () => {
    expect(daysPastDue([line(1, '2027-01-10', true), line(2, '2027-02-10', false), line(3, '2027-03-10', false)], '2027-03-12')).toBe(30);
    expect(daysPastDue([line(1, '2027-03-12', false)], '2027-03-12')).toBe(0);
    expect(daysPastDue([line(1, '2027-01-10', true)], '2027-03-12')).toBe(0);
  });

  it.each<[number, AssetClass, AssetClass]>([
    [0, 'STANDARD', 'STANDARD'], [1, 'STANDARD', 'SMA_0'], [30, 'SMA_0', 'SMA_0'], [31, 'SMA_0', 'SMA_1'], [60, 'SMA_1', 'SMA_1'],
    [61, 'SMA_1', 'SMA_2'], [90, 'SMA_2', 'SMA_2'], [91, 'SMA_2', 'NPA'], [40, 'NPA', 'NPA'], [1, 'NPA', 'NPA'], [0, 'NPA', 'STANDARD'], [5, 'SMA_2', 'SMA_0'],
  ])('when the loan is %i days past due and was %s, then it is %s', (dpd, previous, expected) => {
    expect(assetClassOf(dpd, previous)).toBe(expected);
  });

  it('when an NPA\'s arrears are partly paid, then it stays NPA until nothing is past due, for any path of DPDs', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 30 }), (path) => {
      let cls: AssetClass = 'STANDARD';
      let wasNpa = false;
      for (const dpd of path) {
        cls = assetClassOf(dpd, cls);
        wasNpa = dpd === 0 ? false : wasNpa || dpd > 90;
        expect(cls === 'NPA').toBe(wasNpa);
      }
    }));
  });
});

describe('exiting in the cooling-off period', () => {
  it('when ₹50,000 at an APR of 24.5% is repaid 2 days after disbursement within a 3-day period, then the borrower pays ₹67.12 of interest (50,000 × 24.5% × 2 / 365 = 67.1233), nothing else', () => {
    expect(coolingOffExit({ principalMicros: 50_000_000_000n, aprE5: 2_450_000, disbursedOn: '2027-01-10', asOf: '2027-01-12', coolingOffDays: 3 }))
      .toEqual({ withinPeriod: true, daysHeld: 2, interestMicros: 67_120_000n, totalMicros: 50_067_120_000n });
    expect(coolingOffExit({ principalMicros: 50_000_000_000n, aprE5: 2_450_000, disbursedOn: '2027-01-10', asOf: '2027-01-14', coolingOffDays: 3 }).withinPeriod).toBe(false);
    expect(coolingOffExit({ principalMicros: 50_000_000_000n, aprE5: 2_450_000, disbursedOn: '2027-01-10', asOf: '2027-01-10', coolingOffDays: 3 }).interestMicros).toBe(0n);
  });
});
