import { UnitOfWork } from '../../lib/db/database';
import { AppError, AppErrorCode } from '../errors';
import { LedgerAccount } from './accounts';
import { LoanBalances, TrialBalance, loanBalancesOf, trialBalanceOf } from './balances';
import { JournalEntry, PostedEntry, assertPostable, sameMovement } from './journal';
import { LedgerRepository } from './ledger.repository';
import { StatementLine, borrowerStatement } from './statement';

/**
 * The double-entry ledger of the loan book: journal entries of balanced postings on the chart of accounts
 * (accounts.ts), each recorded once under its idempotency key; every balance shown is read from it.
 *
 * Guarantees, in code and in the database (migration 20261207100000_double_entry_ledger):
 * - an entry balances: its postings sum to 0 (checked here before writing, and by a deferred constraint trigger
 *   at the commit of the transaction that wrote it, so not even a hand-written INSERT can commit an unbalanced
 *   entry); no posting is 0; no posting can be added to an entry another transaction wrote;
 * - entries and postings are immutable: UPDATE and DELETE are refused by triggers; a mistake is corrected by a
 *   new, reversing entry;
 * - one entry per idempotency key (a UNIQUE index): posting it again returns the entry already recorded.
 */
export class Ledger {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly repository: LedgerRepository,
  ) {}

  /**
   * Records the entry **in the caller's open transaction**: the one that makes the state change the money
   * movement belongs to (the loan opened, the repayment SUCCEEDED), so both commit or neither does. Transactions
   * are ambient here (UnitOfWork): call it inside `uow.transaction(...)`.
   *
   * Idempotent by key: when the key is posted already, the entry recorded then is returned and nothing is written;
   * if that entry is another movement (other loan, value date, kind or postings; see sameMovement), it is refused.
   *
   * @throws AppError LEDGER_ENTRY_REFUSED outside a transaction, for an entry that breaks a rule of
   *   entryProblem (does not balance, zero or sub-paisa posting, fewer than two postings, bad date or key), or
   *   for a key already posted with another body.
   */
  async post(entry: JournalEntry): Promise<PostedEntry> {
    if (!this.uow.inTransaction) {
      throw new AppError(AppErrorCode.LEDGER_ENTRY_REFUSED, `Journal entry ${entry.idempotencyKey} refused: it must be posted in the transaction of the state change it records`);
    }
    assertPostable(entry);
    const recorded = await this.repository.insert(entry);
    if (recorded) return { ...entry, ...recorded };
    const existing = await this.repository.entryByKey(entry.idempotencyKey);
    if (!existing || !sameMovement(existing, entry)) {
      throw new AppError(AppErrorCode.LEDGER_ENTRY_REFUSED, `Journal entry ${entry.idempotencyKey} refused: the key was posted already with another body`);
    }
    return existing;
  }

  /**
   * Records many entries at once, in one statement, **in the caller's open transaction**: for a job that posts
   * for every loan (the daily accrual), not a loop of round trips. Same rules as post, entry by entry: keys posted
   * already are skipped (and refused if posted with another body); keys must be distinct within the batch.
   * Answers how many were written and how many were there already.
   *
   * @throws AppError LEDGER_ENTRY_REFUSED as post does, or for a key twice in the batch; nothing is written then.
   */
  async postMany(entries: readonly JournalEntry[]): Promise<{ written: number; existing: number }> {
    if (!this.uow.inTransaction) {
      throw new AppError(AppErrorCode.LEDGER_ENTRY_REFUSED, `${entries.length} journal entries refused: they must be posted in the transaction of the state change they record`);
    }
    const keys = new Set<string>();
    for (const entry of entries) {
      assertPostable(entry);
      if (keys.has(entry.idempotencyKey)) throw new AppError(AppErrorCode.LEDGER_ENTRY_REFUSED, `Journal entry ${entry.idempotencyKey} refused: the key is twice in the batch`);
      keys.add(entry.idempotencyKey);
    }
    if (entries.length === 0) return { written: 0, existing: 0 };
    const written = await this.repository.insertMany(entries);
    const skipped = entries.filter((entry) => !written.has(entry.idempotencyKey));
    const existing = new Map((await this.repository.entriesByKeys(skipped.map((entry) => entry.idempotencyKey))).map((entry) => [entry.idempotencyKey, entry]));
    for (const entry of skipped) {
      const there = existing.get(entry.idempotencyKey);
      if (!there || !sameMovement(there, entry)) throw new AppError(AppErrorCode.LEDGER_ENTRY_REFUSED, `Journal entry ${entry.idempotencyKey} refused: the key was posted already with another body`);
    }
    return { written: written.size, existing: skipped.length };
  }

  /** The entry posted under this key, if any. */
  entry(idempotencyKey: string): Promise<PostedEntry | null> {
    return this.repository.entryByKey(idempotencyKey);
  }

  /** An account's raw balance (debit positive; see normalBalance) for one loan, value dates up to `asOf` (YYYY-MM-DD) when given. */
  balance(account: LedgerAccount, loanId: string, asOf?: string): Promise<bigint> {
    return this.repository.balance(account, loanId, asOf);
  }

  /** A loan's balances (principal outstanding, interest and charges receivable, excess, what was repaid), from its postings. */
  async loanBalances(loanId: string, asOf?: string): Promise<LoanBalances> {
    return (await this.balancesOfLoans([loanId], asOf)).get(loanId)!;
  }

  /** The balances of several loans in one read (a loan with no postings has every balance 0). */
  async balancesOfLoans(loanIds: readonly string[], asOf?: string): Promise<Map<string, LoanBalances>> {
    const totals = await this.repository.totalsOfLoans(loanIds, asOf);
    return new Map(loanIds.map((loanId) => [loanId, loanBalancesOf(totals.filter((t) => t.loanId === loanId))]));
  }

  /** Every account's debits and credits, of the whole book or of one loan; `totalMicros` is 0 when the ledger is sound. */
  async trialBalance(options: { loanId?: string; asOf?: string } = {}): Promise<TrialBalance> {
    return trialBalanceOf(await this.repository.accountTotals(options.loanId, options.asOf));
  }

  /** The loan's statement (borrowerStatement), value dates within [from, to] (YYYY-MM-DD, each optional). */
  async statement(loanId: string, from?: string, to?: string): Promise<StatementLine[]> {
    return borrowerStatement(await this.repository.entriesOfLoan(loanId, to), from, to);
  }
}
