import type { StatementLine } from '../../src/core/ledger/statement';
import type { ServicedInstalment } from '../../src/core/loan/servicing';
import { ocenNextDue, ocenStatement } from '../../src/protocols/shared/ocen-family';
import { v3LoanStatus } from '../../src/protocols/ocen-v3/ocen-v3-mappers';

const R = 1_000_000n;
const instalment = (sequence: number, accruesFrom: string, dueDate: string, status: ServicedInstalment['status'] = 'DUE', paid = 0n): ServicedInstalment => ({
  sequence, accruesFrom, dueDate, status, emiMicros: 1_100n * R, principalMicros: 1_000n * R, interestMicros: 100n * R,
  principalPaidMicros: paid, interestPaidMicros: 0n, interestAccruedMicros: 0n, accrualBaseMicros: 0n, accrualBaseOn: null,
});
let balance = 0n;
const line = (valueDate: string, reference: string, amountMicros: bigint, direction: 'DEBIT' | 'CREDIT' = 'DEBIT'): StatementLine => {
  balance += direction === 'DEBIT' ? amountMicros : -amountMicros;
  return { entryId: 1n, kind: 'INTEREST', account: 'INTEREST_INCOME', direction, amountMicros, balanceAfterMicros: balance, valueDate, reference, narration: reference.startsWith('ACCRUAL-') ? 'Interest accrued' : 'Repayment' };
};

describe('the OCEN statement', () => {
  const schedule = [instalment(1, '2026-01-10', '2026-02-10'), instalment(2, '2026-02-10', '2026-03-10'), instalment(3, '2026-03-10', '2026-04-10', 'CANCELLED')];

  it('when interest accrues daily, then each instalment period shows one line of interest, dated its last day, with that day\'s closing balance; a repayment in between splits the period', () => {
    balance = 10_000n * R;
    const lines = [
      line('2026-02-08', 'ACCRUAL-2026-02-08', 3n * R),
      line('2026-02-09', 'ACCRUAL-2026-02-09', 3n * R),
      line('2026-02-10', 'ACCRUAL-2026-02-10', 4n * R),
      line('2026-02-11', 'ACCRUAL-2026-02-11', 3n * R),
      line('2026-02-12', 'RPY1', 500n * R, 'CREDIT'),
      line('2026-02-13', 'ACCRUAL-2026-02-13', 2n * R),
      line('2026-02-14', 'ACCRUAL-2026-02-14', 2n * R),
    ];
    const shown = ocenStatement(lines, schedule);
    expect(shown).toEqual([
      { date: '2026-02-10', narration: 'Interest accrued from 2026-02-08 to 2026-02-10, instalment 1', txnRefNo: 'ACCRUAL-2026-02-08-TO-2026-02-10', amount: '10.00', type: 'WITHDRAWL', closingBalance: '10010.00' },
      { date: '2026-02-11', narration: 'Interest accrued on 2026-02-11, instalment 2', txnRefNo: 'ACCRUAL-2026-02-11', amount: '3.00', type: 'WITHDRAWL', closingBalance: '10013.00' },
      { date: '2026-02-12', narration: 'Repayment', txnRefNo: 'RPY1', amount: '500.00', type: 'DEPOSIT', closingBalance: '9513.00' },
      { date: '2026-02-14', narration: 'Interest accrued from 2026-02-13 to 2026-02-14, instalment 2', txnRefNo: 'ACCRUAL-2026-02-13-TO-2026-02-14', amount: '4.00', type: 'WITHDRAWL', closingBalance: '9517.00' },
    ]);
  });

  it('keeps every other line as the ledger gives it', () => {
    balance = 0n;
    const lines = [line('2026-01-10', 'DSB1', 10_000n * R), line('2026-02-10', 'RPY1', 1_100n * R, 'CREDIT')];
    expect(ocenStatement(lines, schedule).map((l) => l.txnRefNo)).toEqual(['DSB1', 'RPY1']);
  });
});

describe('what is due next', () => {
  const loan = (instalments: ServicedInstalment[], chargesMicros = 0n) => ({
    instalments,
    charges: chargesMicros > 0n ? [{ id: 'c', kind: 'BOUNCE' as const, instalmentSequence: 1, leviedOn: '2026-02-10', chargeMicros: chargesMicros, gstMicros: 0n, paidMicros: 0n, reference: 'r' }] : [],
  });

  it('when instalment 1 is overdue with a bounce charge, then the next due is instalment 1 with its arrears and the charge as penalty, never a CANCELLED instalment', () => {
    const lines = [instalment(1, '2026-01-10', '2026-02-10', 'OVERDUE'), instalment(2, '2026-02-10', '2026-03-10', 'CANCELLED'), instalment(3, '2026-03-10', '2026-04-10')];
    const next = ocenNextDue({ loan: loan(lines, 590n * R) as never, asOf: '2026-02-15', nextDue: { sequence: 1, dueDate: '2026-02-10', amountMicros: 1_690n * R } });
    expect(next).toEqual({ sequence: 1, dueDate: '2026-02-10', principalMicros: 1_000n * R, interestMicros: 100n * R, chargesMicros: 590n * R, totalMicros: 1_690n * R, ofInstalments: 2 });
  });

  it('when nothing is due yet, then it is the next instalment alone', () => {
    const lines = [instalment(1, '2026-01-10', '2026-02-10', 'PAID', 1_000n * R), instalment(2, '2026-02-10', '2026-03-10')];
    lines[0].interestPaidMicros = 100n * R;
    const next = ocenNextDue({ loan: loan(lines) as never, asOf: '2026-02-15', nextDue: { sequence: 2, dueDate: '2026-03-10', amountMicros: 1_100n * R } });
    expect(next?.totalMicros).toBe(1_100n * R);
  });
});

describe('the v3 loanStatus', () => {
  const base = { instalments: [instalment(1, '2026-01-10', '2026-02-10')], daysPastDue: 0, assetClass: 'STANDARD' as const };
  it.each([
    ['a closed loan', 'COMPLETED', { ...base, state: 'CLOSED' as const }],
    ['an NPA', 'DEFAULTED', { ...base, state: 'DELINQUENT' as const, daysPastDue: 95, assetClass: 'NPA' as const }],
    ['a DELINQUENT loan', 'OVERDUE', { ...base, state: 'DELINQUENT' as const, daysPastDue: 5, assetClass: 'SMA_0' as const }],
    ['an instalment past due before the close of business ran', 'OVERDUE', { ...base, state: 'ACTIVE' as const }],
    ['a current loan', 'GRANTED', { ...base, state: 'ACTIVE' as const, instalments: [instalment(1, '2026-02-10', '2026-03-10')] }],
  ])('when %s, then %s', (_what, expected, loan) => {
    expect(v3LoanStatus({ loan, asOf: '2026-02-15' })).toBe(expected);
  });
});
