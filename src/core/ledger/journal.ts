import { AppError, AppErrorCode } from '../errors';
import { isWholePaise, sumMicros } from '../money/money';
import { isValidIsoDate } from '../shared/dates';
import { LEDGER_ACCOUNTS, LedgerAccount, LedgerEntryKind } from './accounts';

/**
 * One line of a journal entry: an amount on one account, **signed: debit positive, credit negative**, never 0,
 * always whole paise (the ledger never rounds: whoever computes an amount rounds it, see src/core/money).
 */
export interface Posting {
  account: LedgerAccount;
  amountMicros: bigint;
  /** What the line is, for the loan statement (its narration when this posting is the line's other side). */
  memo?: string;
}

/**
 * A journal entry: a set of postings that sum to 0, recorded once under its idempotency key.
 *
 * `idempotencyKey` names the movement, not the attempt (`disbursement:<loanId>`, `repayment:<repaymentId>`,
 * `accrual:<loanId>:<date>`): posting the same key again returns the entry already posted; the same key with
 * another body (loan, value date, kind or postings) is refused.
 */
export interface JournalEntry {
  idempotencyKey: string;
  /** The loan the entry is about; null for a bank-level entry (a clearing account swept, say). */
  loanId: string | null;
  /** YYYY-MM-DD, the Indian calendar day the money moved (or the interest was earned). */
  valueDate: string;
  kind: LedgerEntryKind;
  /** The outside reference of the movement (the rail's UTR, the repayment's reference). */
  reference: string;
  narration: string;
  postings: Posting[];
}

/** An entry as recorded: its id orders entries of the same value date. */
export interface PostedEntry extends JournalEntry {
  id: bigint;
  createdAt: Date;
}

export const debit = (account: LedgerAccount, amountMicros: bigint, memo?: string): Posting => ({ account, amountMicros, ...(memo ? { memo } : {}) });
export const credit = (account: LedgerAccount, amountMicros: bigint, memo?: string): Posting => ({ account, amountMicros: -amountMicros, ...(memo ? { memo } : {}) });

/** The postings with an amount (builders list every line a movement may have; a zero line is left out). */
export const nonZero = (...postings: Posting[]): Posting[] => postings.filter((posting) => posting.amountMicros !== 0n);

/** Why the entry cannot be posted, or null when it can (the rules LEDGER_ENTRY_REFUSED names). */
export function entryProblem(entry: JournalEntry): string | null {
  if (!entry.idempotencyKey || entry.idempotencyKey.length > 200) return 'the idempotency key must be 1 to 200 characters';
  if (!isValidIsoDate(entry.valueDate)) return `the value date ${JSON.stringify(entry.valueDate)} is not a YYYY-MM-DD date`;
  if (entry.postings.length < 2) return 'an entry needs at least two postings';
  for (const posting of entry.postings) {
    if (!(posting.account in LEDGER_ACCOUNTS)) return `unknown account ${String(posting.account)}`;
    if (posting.amountMicros === 0n) return `a posting on ${posting.account} is zero`;
    if (!isWholePaise(posting.amountMicros)) return `a posting on ${posting.account} is not whole paise (${posting.amountMicros} micros)`;
  }
  const total = sumMicros(entry.postings.map((posting) => posting.amountMicros));
  if (total !== 0n) return `the postings sum to ${total} micros, not 0`;
  return null;
}

/** @throws AppError LEDGER_ENTRY_REFUSED when the entry breaks a rule of entryProblem. */
export function assertPostable(entry: JournalEntry): void {
  const problem = entryProblem(entry);
  if (problem) throw new AppError(AppErrorCode.LEDGER_ENTRY_REFUSED, `Journal entry ${entry.idempotencyKey} refused: ${problem}`);
}

/**
 * Whether two entries are the same movement: the same key, loan, value date, kind and postings (account and
 * amount, in any order). Reference, narration and memos are words, not money: they may differ.
 */
export function sameMovement(a: JournalEntry, b: JournalEntry): boolean {
  const lines = (entry: JournalEntry) => entry.postings.map((p) => `${p.account}:${p.amountMicros}`).sort().join(',');
  return a.idempotencyKey === b.idempotencyKey && a.loanId === b.loanId && a.valueDate === b.valueDate && a.kind === b.kind && lines(a) === lines(b);
}
