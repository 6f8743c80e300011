import { formatRupees } from '../money/money';
import { JournalEntry, credit, debit, nonZero } from './journal';

/**
 * The journal entry of each money movement: the one place that says which accounts a movement debits and
 * credits. Pure: amounts in (whole paise, already rounded by whoever computed them), an entry out; every entry
 * built here balances by construction (and test/unit/ledger.property.test.ts checks it for any amounts).
 * Lines with a zero amount are left out.
 *
 * | movement | debit | credit |
 * |---|---|---|
 * | disbursement | LOAN_PRINCIPAL (sanctioned) | DISBURSEMENT_CLEARING (net payout), FEE_INCOME (fee), GST_PAYABLE (GST on the fee) |
 * | interest earned (at payment today; the daily accrual later) | INTEREST_RECEIVABLE | INTEREST_INCOME |
 * | repayment | COLLECTION_CLEARING (amount) | CHARGES_RECEIVABLE, INTEREST_RECEIVABLE, LOAN_PRINCIPAL (as allocated), BORROWER_EXCESS (the rest) |
 * | charge levied | CHARGES_RECEIVABLE (charge + GST) | CHARGES_INCOME (charge), GST_PAYABLE (GST) |
 * | excess refunded | BORROWER_EXCESS | DISBURSEMENT_CLEARING |
 * | write-off | WRITE_OFF_EXPENSE | LOAN_PRINCIPAL, INTEREST_RECEIVABLE, CHARGES_RECEIVABLE |
 *
 * A change of repayment conditions that moves a due date only (no charge, no interest) moves no money and
 * posts nothing.
 */

/** The idempotency key of each movement: one per movement, whatever the attempt. */
export const ledgerKeys = {
  disbursement: (loanId: string) => `disbursement:${loanId}`,
  repayment: (repaymentId: string) => `repayment:${repaymentId}`,
  /** The interest a repayment pays that was not yet booked as earned (see interestEntry). */
  interestOnRepayment: (repaymentId: string) => `repayment:${repaymentId}:interest`,
  /** One accrual per loan and day (the business-day clock's job). */
  accrual: (loanId: string, valueDate: string) => `accrual:${loanId}:${valueDate}`,
  /** A loan_journal_entry row moved into the ledger by migration 20261207100000_double_entry_ledger. */
  migratedJournalRow: (journalId: bigint | number) => `journal:${journalId}`,
};

export interface Disbursed {
  loanId: string;
  valueDate: string;
  /** The rail's reference of the payout. */
  reference: string;
  /** What the borrower owes: the sanctioned amount = net payout + fee + GST. */
  principalMicros: bigint;
  netPayoutMicros: bigint;
  processingFeeMicros: bigint;
  processingFeeGstMicros: bigint;
}

/** A loan paid out: the sanctioned principal lent, of which the fee and its GST are kept and the rest paid out. */
export function disbursementEntry(d: Disbursed): JournalEntry {
  return {
    idempotencyKey: ledgerKeys.disbursement(d.loanId),
    loanId: d.loanId,
    valueDate: d.valueDate,
    kind: 'DISBURSEMENT',
    reference: d.reference,
    narration: `Loan of ${formatRupees(d.principalMicros)} disbursed`,
    postings: nonZero(
      debit('LOAN_PRINCIPAL', d.principalMicros),
      credit('DISBURSEMENT_CLEARING', d.netPayoutMicros, 'Loan disbursed'),
      credit('FEE_INCOME', d.processingFeeMicros, 'Processing fee'),
      credit('GST_PAYABLE', d.processingFeeGstMicros, 'GST on the processing fee'),
    ),
  };
}

/**
 * Interest earned on a loan: receivable from the borrower, income of the bank. Today it is posted when a
 * repayment pays interest not yet booked (key ledgerKeys.interestOnRepayment); the business-day clock's accrual
 * posts the same entry once per loan and day (key ledgerKeys.accrual, amount = interest accrued to that day,
 * rounded to the paisa, less what was accrued before: the rounding never accumulates).
 */
export function interestEntry(i: { idempotencyKey: string; loanId: string; valueDate: string; reference: string; amountMicros: bigint; narration: string }): JournalEntry {
  return {
    idempotencyKey: i.idempotencyKey,
    loanId: i.loanId,
    valueDate: i.valueDate,
    kind: 'INTEREST',
    reference: i.reference,
    narration: i.narration,
    postings: nonZero(debit('INTEREST_RECEIVABLE', i.amountMicros), credit('INTEREST_INCOME', i.amountMicros, i.narration)),
  };
}

export interface Repaid {
  repaymentId: string;
  loanId: string;
  valueDate: string;
  reference: string;
  /** The whole amount received. */
  amountMicros: bigint;
  /** How it was shared out (src/core/loan/allocation.ts): charges + interest + principal + excess = amount. */
  chargesMicros: bigint;
  interestMicros: bigint;
  principalMicros: bigint;
  excessMicros: bigint;
  narration: string;
}

/** Money received towards a loan: in the collection clearing account, out of the receivables as allocated, the rest owed back. */
export function repaymentEntry(r: Repaid): JournalEntry {
  return {
    idempotencyKey: ledgerKeys.repayment(r.repaymentId),
    loanId: r.loanId,
    valueDate: r.valueDate,
    kind: 'REPAYMENT',
    reference: r.reference,
    narration: r.narration,
    postings: nonZero(
      debit('COLLECTION_CLEARING', r.amountMicros, r.narration),
      credit('CHARGES_RECEIVABLE', r.chargesMicros),
      credit('INTEREST_RECEIVABLE', r.interestMicros),
      credit('LOAN_PRINCIPAL', r.principalMicros),
      credit('BORROWER_EXCESS', r.excessMicros),
    ),
  };
}

/** A charge levied on the loan (bounce, penal, foreclosure): receivable with its GST; income net of it. */
export function chargeEntry(c: { idempotencyKey: string; loanId: string; valueDate: string; reference: string; chargeMicros: bigint; gstMicros: bigint; narration: string }): JournalEntry {
  return {
    idempotencyKey: c.idempotencyKey,
    loanId: c.loanId,
    valueDate: c.valueDate,
    kind: 'CHARGE',
    reference: c.reference,
    narration: c.narration,
    postings: nonZero(
      debit('CHARGES_RECEIVABLE', c.chargeMicros + c.gstMicros),
      credit('CHARGES_INCOME', c.chargeMicros, c.narration),
      credit('GST_PAYABLE', c.gstMicros, `GST on: ${c.narration}`),
    ),
  };
}

/** Excess paid back to the borrower through the payout rail. */
export function excessRefundEntry(r: { idempotencyKey: string; loanId: string; valueDate: string; reference: string; amountMicros: bigint }): JournalEntry {
  return {
    idempotencyKey: r.idempotencyKey,
    loanId: r.loanId,
    valueDate: r.valueDate,
    kind: 'REFUND',
    reference: r.reference,
    narration: 'Excess payment refunded',
    postings: nonZero(debit('BORROWER_EXCESS', r.amountMicros), credit('DISBURSEMENT_CLEARING', r.amountMicros, 'Excess payment refunded')),
  };
}

/** Receivables written off as lost. */
export function writeOffEntry(w: { idempotencyKey: string; loanId: string; valueDate: string; reference: string; principalMicros: bigint; interestMicros: bigint; chargesMicros: bigint }): JournalEntry {
  return {
    idempotencyKey: w.idempotencyKey,
    loanId: w.loanId,
    valueDate: w.valueDate,
    kind: 'WRITE_OFF',
    reference: w.reference,
    narration: 'Written off',
    postings: nonZero(
      debit('WRITE_OFF_EXPENSE', w.principalMicros + w.interestMicros + w.chargesMicros, 'Written off'),
      credit('LOAN_PRINCIPAL', w.principalMicros),
      credit('INTEREST_RECEIVABLE', w.interestMicros),
      credit('CHARGES_RECEIVABLE', w.chargesMicros),
    ),
  };
}
