import fc from 'fast-check';
import { MICROS_PER_PAISA, rupeesText } from '../../src/core/money/money';
import { buildSchedule } from '../../src/core/money/emi';
import { type InstalmentBalance, allocate, remainingOf, statusAfter } from '../../src/core/loan/allocation';
import { loanStatus } from '../../src/protocols/ocen/ocen-loan-mappers';
import { microsOfRupees } from '../../src/protocols/ocen/ocen-mappers';

const PAISA = MICROS_PER_PAISA;
const RUNS = { numRuns: 300 };

/** A real schedule (emi.ts) with some instalments already paid in part or in full, as repayments leave them. */
const loanArb: fc.Arbitrary<InstalmentBalance[]> = fc
  .record({
    principalMicros: fc.bigInt({ min: 100_000n, max: 100_000_000n }).map((paise) => paise * PAISA),
    annualRateE5: fc.bigInt({ min: 0n, max: 3_600_000n }),
    tenureMonths: fc.integer({ min: 1, max: 36 }),
    paidPaise: fc.bigInt({ min: 0n, max: 200_000_000n }),
  })
  .map(({ paidPaise, ...terms }) => {
    const lines: InstalmentBalance[] = buildSchedule(terms, '2026-01-15').map((line) => ({ ...line, principalPaidMicros: 0n, interestPaidMicros: 0n }));
    const total = lines.reduce((sum, line) => sum + remainingOf(line), 0n);
    const already = (paidPaise * PAISA) % (total + PAISA);
    return already > 0n ? apply(lines, already) : lines;
  });

function apply(lines: InstalmentBalance[], amount: bigint): InstalmentBalance[] {
  const allocation = allocate(amount, lines);
  return lines.map((line) => {
    const paid = allocation.lines.find((l) => l.sequence === line.sequence);
    return paid ? { ...line, principalPaidMicros: line.principalPaidMicros + paid.principalMicros, interestPaidMicros: line.interestPaidMicros + paid.interestMicros } : line;
  });
}

const outstanding = (lines: InstalmentBalance[]) => lines.reduce((sum, line) => sum + remainingOf(line), 0n);
const amountArb = fc.bigInt({ min: 1n, max: 300_000_000n }).map((paise) => paise * PAISA);

describe('allocating a repayment over the instalments', () => {
  it('when any amount is paid on any loan, then every micro is allocated once: principal + interest + penalty + excess = amount, and the lines add up to the totals', () => {
    fc.assert(fc.property(loanArb, amountArb, (lines, amount) => {
      const a = allocate(amount, lines);
      expect(a.principalMicros + a.interestMicros + a.penaltyMicros + a.excessMicros).toBe(amount);
      expect(a.lines.reduce((s, l) => s + l.principalMicros, 0n)).toBe(a.principalMicros);
      expect(a.lines.reduce((s, l) => s + l.interestMicros, 0n)).toBe(a.interestMicros);
      expect(a.excessMicros >= 0n && a.penaltyMicros === 0n).toBe(true);
    }), RUNS);
  });

  it('when a repayment is applied, then the outstanding falls by exactly what was allocated, no instalment is paid beyond its due, and excess only appears once nothing is left', () => {
    fc.assert(fc.property(loanArb, amountArb, (lines, amount) => {
      const before = outstanding(lines);
      const a = allocate(amount, lines);
      const after = apply(lines, amount);
      expect(before - outstanding(after)).toBe(a.principalMicros + a.interestMicros);
      for (const line of after) {
        expect(line.principalPaidMicros <= line.principalMicros && line.interestPaidMicros <= line.interestMicros).toBe(true);
      }
      expect(a.excessMicros).toBe(amount > before ? amount - before : 0n);
      if (a.excessMicros > 0n) expect(outstanding(after)).toBe(0n);
    }), RUNS);
  });

  it('when a repayment is applied, then it pays the oldest unpaid instalment first, interest before principal: no later instalment receives anything while an earlier one is left unpaid', () => {
    fc.assert(fc.property(loanArb, amountArb, (lines, amount) => {
      const after = apply(lines, amount);
      const firstUnpaid = after.findIndex((line) => remainingOf(line) > 0n);
      if (firstUnpaid < 0) return;
      for (const line of after.slice(firstUnpaid + 1)) {
        const was = lines.find((l) => l.sequence === line.sequence)!;
        expect([line.principalPaidMicros, line.interestPaidMicros]).toEqual([was.principalPaidMicros, was.interestPaidMicros]);
      }
      const current = after[firstUnpaid];
      if (current.principalPaidMicros > 0n) expect(current.interestPaidMicros).toBe(current.interestMicros);
    }), RUNS);
  });

  it('when the amounts are whole paise, then every allocated amount is whole paise (nothing is rounded)', () => {
    fc.assert(fc.property(loanArb, amountArb, (lines, amount) => {
      const a = allocate(amount, lines);
      for (const value of [a.principalMicros, a.interestMicros, a.excessMicros, ...a.lines.flatMap((l) => [l.principalMicros, l.interestMicros])]) {
        expect(value % PAISA).toBe(0n);
      }
    }), RUNS);
  });

  it('when an amount is not positive, then it is refused', () => {
    expect(() => allocate(0n, [])).toThrow(RangeError);
    expect(() => allocate(-PAISA, [])).toThrow(RangeError);
  });

  it('statuses: nothing left is PAID, something paid is PARTIALLY_PAID, nothing paid keeps its status', () => {
    const line = { sequence: 1, principalMicros: 100n * PAISA, interestMicros: 10n * PAISA, principalPaidMicros: 0n, interestPaidMicros: 0n };
    expect(statusAfter(line, 'DUE')).toBe('DUE');
    expect(statusAfter({ ...line, interestPaidMicros: 5n * PAISA }, 'DUE')).toBe('PARTIALLY_PAID');
    expect(statusAfter({ ...line, interestPaidMicros: 10n * PAISA, principalPaidMicros: 100n * PAISA }, 'PARTIALLY_PAID')).toBe('PAID');
  });
});

describe('the OCEN LoanStatus of a loan', () => {
  const line = (sequence: number, dueDate: string, paid: 'none' | 'part' | 'all', status: 'DUE' | 'PARTIALLY_PAID' | 'PAID' = paid === 'all' ? 'PAID' : paid === 'part' ? 'PARTIALLY_PAID' : 'DUE') => ({
    sequence, dueDate, emiMicros: 110n, principalMicros: 100n, interestMicros: 10n,
    principalPaidMicros: paid === 'all' ? 100n : 0n, interestPaidMicros: paid === 'none' ? 0n : 10n, status,
  });
  const loan = (...instalments: ReturnType<typeof line>[]) => ({ state: 'ACTIVE' as const, instalments });

  it.each([
    ['a closed loan', 'LOAN_CLOSED', { state: 'CLOSED' as const, instalments: [line(1, '2026-01-10', 'all')] }],
    ['every instalment paid', 'LOAN_CLOSED', loan(line(1, '2026-01-10', 'all'))],
    ['the next instalment due yesterday', 'EMI_OVERDUE', loan(line(1, '2026-03-09', 'none'), line(2, '2026-04-09', 'none'))],
    ['the next instalment overdue and partly paid', 'EMI_OVERDUE', loan(line(1, '2026-03-09', 'part'))],
    ['the next instalment partly paid, not yet due', 'PARTIALLY_PAID', loan(line(1, '2026-03-20', 'part'))],
    ['the next instalment due today', 'EMI_DUE', loan(line(1, '2026-03-10', 'none'))],
    ['the next instalment due in 7 days', 'EMI_DUE', loan(line(1, '2026-03-17', 'none'))],
    ['an instalment paid, the next due in 8 days', 'EMI_PAID', loan(line(1, '2026-02-18', 'all'), line(2, '2026-03-18', 'none'))],
    ['nothing paid, nothing due within 7 days', 'HEALTHY', loan(line(1, '2026-04-10', 'none'))],
  ])('when %s (today 2026-03-10), then %s', (_what, expected, facts) => {
    expect(loanStatus(facts, '2026-03-10')).toBe(expected);
  });
});

describe('OCEN amounts', () => {
  it('reads rupees (a JSON number) as micros only when positive with at most two decimals, never rounding', () => {
    expect(microsOfRupees(9073.09)).toBe(9_073_090_000n);
    expect(microsOfRupees(10.1)).toBe(10_100_000n);
    expect(microsOfRupees(0)).toBeUndefined();
    expect(microsOfRupees(0, true)).toBe(0n);
    for (const bad of [10.001, -5, Number.NaN, 1e-7, '10', 1e13]) expect(microsOfRupees(bad)).toBeUndefined();
  });

  it('writes micros as rupees with two decimals', () => {
    expect([rupeesText(0n), rupeesText(9_073_090_000n), rupeesText(100_000_000_000n), rupeesText(-50_000n), rupeesText(14_999n)]).toEqual(['0.00', '9073.09', '100000.00', '-0.05', '0.01']);
  });
});
