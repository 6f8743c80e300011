import { MICROS_PER_PAISA, rupeesText } from '../../src/core/money/money';
import { statusAfter } from '../../src/core/loan/allocation';
import { loanStatus } from '../../src/protocols/ocen/ocen-loan-mappers';
import { microsOfRupees } from '../../src/protocols/ocen/ocen-mappers';

const PAISA = MICROS_PER_PAISA;

// The properties of the allocation itself (the order, nothing created or lost) are in servicing-math.property.test.ts.
describe('an instalment\'s status', () => {
  it('when nothing is left it is PAID, when something was paid it is PARTIALLY_PAID, when nothing was paid it keeps its status', () => {
    const line = { sequence: 1, principalMicros: 100n * PAISA, interestMicros: 10n * PAISA, principalPaidMicros: 0n, interestPaidMicros: 0n };
    expect(statusAfter(line, 'DUE')).toBe('DUE');
    expect(statusAfter({ ...line, interestPaidMicros: 5n * PAISA }, 'DUE')).toBe('PARTIALLY_PAID');
    expect(statusAfter({ ...line, interestPaidMicros: 10n * PAISA, principalPaidMicros: 100n * PAISA }, 'PARTIALLY_PAID')).toBe('PAID');
  });
});

describe('the OCEN LoanStatus of a loan', () => {
  const line = (sequence: number, dueDate: string, paid: 'none' | 'part' | 'all', status: 'DUE' | 'PARTIALLY_PAID' | 'PAID' | 'OVERDUE' | 'CANCELLED' = paid === 'all' ? 'PAID' : paid === 'part' ? 'PARTIALLY_PAID' : 'DUE') => ({
    sequence, dueDate, emiMicros: 110n, principalMicros: 100n, interestMicros: 10n,
    principalPaidMicros: paid === 'all' ? 100n : 0n, interestPaidMicros: paid === 'none' ? 0n : 10n, status,
    accruesFrom: dueDate, interestAccruedMicros: paid === 'none' ? 0n : 10n, accrualBaseMicros: 0n, accrualBaseOn: null,
  });
  const loan = (...instalments: ReturnType<typeof line>[]) => ({ state: 'ACTIVE' as const, instalments, daysPastDue: 0, assetClass: 'STANDARD' as const });

  it.each([
    ['a closed loan', 'LOAN_CLOSED', { ...loan(line(1, '2026-01-10', 'all')), state: 'CLOSED' as const }],
    ['a loan classified NPA', 'NPA', { ...loan(line(1, '2025-11-10', 'none')), state: 'DELINQUENT' as const, daysPastDue: 120, assetClass: 'NPA' as const }],
    ['a DELINQUENT loan whose overdue instalment is partly paid', 'EMI_OVERDUE', { ...loan(line(1, '2026-03-01', 'part', 'OVERDUE')), state: 'DELINQUENT' as const, daysPastDue: 9, assetClass: 'SMA_0' as const }],
    ['an instalment CANCELLED by a re-amortisation, unpaid and in the past', 'EMI_PAID', loan(line(1, '2026-02-10', 'all'), line(2, '2026-03-01', 'none', 'CANCELLED'), line(3, '2026-04-10', 'none'))],
    ['every instalment paid', 'LOAN_CLOSED', loan(line(1, '2026-01-10', 'all'))],
    ['the next instalment due yesterday', 'EMI_OVERDUE', loan(line(1, '2026-03-09', 'none'), line(2, '2026-04-09', 'none'))],
    ['the next instalment overdue and partly paid', 'EMI_OVERDUE', loan(line(1, '2026-03-09', 'part'))],
    ['the next instalment partly paid, not yet due', 'PARTIALLY_PAID', loan(line(1, '2026-03-20', 'part'))],
    ['the next instalment due today', 'EMI_DUE', loan(line(1, '2026-03-10', 'none'))],
    ['the next instalment due in 7 days', 'EMI_DUE', loan(line(1, '2026-03-17', 'none'))],
    ['an instalment paid, the next due in 8 days', 'EMI_PAID', loan(line(1, '2026-02-18', 'all'), line(2, '2026-03-18', 'none'))],
    ['nothing paid, nothing due within 7 days', 'HEALTHY', loan(line(1, '2026-04-10', 'none'))],
  ])('when %s (today 2026-03-10), then %s', (_what, expected, facts) => {
    expect(loanStatus({ loan: facts, asOf: '2026-03-10' })).toBe(expected);
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
