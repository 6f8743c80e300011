import { LEDGER_ACCOUNT_NAMES, LedgerAccount, LedgerEntryKind, normalBalance } from './accounts';

/** A sum of postings (raw: debit positive) on one account from entries of one kind: what the ledger's reads return. */
export interface PostingTotal {
  account: LedgerAccount;
  kind: LedgerEntryKind;
  amountMicros: bigint;
}

/**
 * A loan's balances, every one a sum of its postings (no column, no rounding). Amounts on each account's normal
 * side: positive principal outstanding is owed by the borrower, positive excess is owed to them.
 */
export interface LoanBalances {
  principalOutstandingMicros: bigint;
  interestReceivableMicros: bigint;
  chargesReceivableMicros: bigint;
  /** Paid beyond what was due, owed back to the borrower (BORROWER_EXCESS). */
  excessMicros: bigint;
  /** The borrower's position: principal + interest + charges − excess (negative when the bank owes them). */
  owedMicros: bigint;
  /** Repaid so far, by part: what REPAYMENT entries credited to each receivable. */
  principalRepaidMicros: bigint;
  interestRepaidMicros: bigint;
  chargesRepaidMicros: bigint;
  /** Everything received towards the loan (REPAYMENT entries' debits to COLLECTION_CLEARING). */
  collectedMicros: bigint;
}

/** The balances of a loan from the totals of its postings (PostingTotal rows, in any grouping, repeated or not). */
export function loanBalancesOf(totals: readonly PostingTotal[]): LoanBalances {
  const raw = (account: LedgerAccount, kind?: LedgerEntryKind) =>
    totals.filter((t) => t.account === account && (kind === undefined || t.kind === kind)).reduce((sum, t) => sum + t.amountMicros, 0n);
  const principal = raw('LOAN_PRINCIPAL');
  const interest = raw('INTEREST_RECEIVABLE');
  const charges = raw('CHARGES_RECEIVABLE');
  const excess = normalBalance('BORROWER_EXCESS', raw('BORROWER_EXCESS'));
  return {
    principalOutstandingMicros: principal,
    interestReceivableMicros: interest,
    chargesReceivableMicros: charges,
    excessMicros: excess,
    owedMicros: principal + interest + charges - excess,
    principalRepaidMicros: -raw('LOAN_PRINCIPAL', 'REPAYMENT'),
    interestRepaidMicros: -raw('INTEREST_RECEIVABLE', 'REPAYMENT'),
    chargesRepaidMicros: -raw('CHARGES_RECEIVABLE', 'REPAYMENT'),
    collectedMicros: raw('COLLECTION_CLEARING', 'REPAYMENT'),
  };
}

/** One account's line of a trial balance: its debits, its credits (both positive) and its raw balance. */
export interface TrialBalanceLine {
  account: LedgerAccount;
  debitMicros: bigint;
  creditMicros: bigint;
  /** debits − credits. */
  balanceMicros: bigint;
}

/** Every account's totals; `totalMicros` (the sum of every balance) is 0 in a healthy ledger. */
export interface TrialBalance {
  lines: TrialBalanceLine[];
  totalMicros: bigint;
}

/** A trial balance from per-account debit and credit totals, every account of the chart listed (zero when unused). */
export function trialBalanceOf(totals: ReadonlyArray<{ account: LedgerAccount; debitMicros: bigint; creditMicros: bigint }>): TrialBalance {
  const lines = LEDGER_ACCOUNT_NAMES.map((account) => {
    const mine = totals.filter((t) => t.account === account);
    const debitMicros = mine.reduce((sum, t) => sum + t.debitMicros, 0n);
    const creditMicros = mine.reduce((sum, t) => sum + t.creditMicros, 0n);
    return { account, debitMicros, creditMicros, balanceMicros: debitMicros - creditMicros };
  });
  return { lines, totalMicros: lines.reduce((sum, line) => sum + line.balanceMicros, 0n) };
}
