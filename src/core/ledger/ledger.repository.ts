import { Database } from '../../lib/db/database';
import { LedgerAccount } from './accounts';
import { PostingTotal } from './balances';
import { JournalEntry, PostedEntry } from './journal';

/** An entry as ENTRY_SELECT reads it: the posted entry, its postings' amounts as text (JSON carries no bigint). */
type EntryRow = Omit<PostedEntry, 'postings'> & { postings: Array<{ account: LedgerAccount; amount: string; memo: string | null }> };

const ENTRY_SELECT = `SELECT e.id, e.idempotency_key AS "idempotencyKey", e.loan_id AS "loanId", e.value_date::text AS "valueDate", e.kind,
    e.reference, e.narration, e.created_at AS "createdAt",
    json_agg(json_build_object('account', p.account, 'amount', p.amount_micros::text, 'memo', p.memo) ORDER BY p.id) AS postings
  FROM ledger_entry e JOIN ledger_posting p ON p.entry_id = e.id`;

function postedEntry(row: EntryRow): PostedEntry {
  return {
    ...row,
    postings: row.postings.map((p) => ({ account: p.account, amountMicros: BigInt(p.amount), ...(p.memo !== null ? { memo: p.memo } : {}) })),
  };
}

/**
 * The ledger's tables (ledger_entry, ledger_posting), in hand-written SQL. Writes run on the caller's
 * transaction (the ambient unit of work); the database checks at commit that every entry balances.
 */
export class LedgerRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the entry and its postings in one statement; null (nothing written) when its key is posted already. */
  async insert(entry: JournalEntry): Promise<{ id: bigint; createdAt: Date } | null> {
    const rows = await this.db.query<{ id: bigint; createdAt: Date }>(
      `WITH entry AS (
         INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration)
         VALUES ($1, $2, $3::date, $4::"LedgerEntryKind", $5, $6)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, created_at
       ), posted AS (
         INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros, memo)
         SELECT entry.id, p.account, $2, p.amount, p.memo
         FROM entry, unnest($7::"LedgerAccount"[], $8::bigint[], $9::text[]) WITH ORDINALITY AS p(account, amount, memo, n)
         ORDER BY p.n
         RETURNING 1
       )
       SELECT id, created_at AS "createdAt" FROM entry`,
      [
        entry.idempotencyKey,
        entry.loanId,
        entry.valueDate,
        entry.kind,
        entry.reference,
        entry.narration,
        entry.postings.map((p) => p.account),
        entry.postings.map((p) => p.amountMicros.toString()),
        entry.postings.map((p) => p.memo ?? null),
      ],
    );
    return rows[0] ?? null;
  }

  /**
   * Inserts many entries and their postings in one statement (set-based: for a job that posts for every loan at
   * once); answers the keys it wrote. Keys posted already are left as they are (not in the answer).
   */
  async insertMany(entries: readonly JournalEntry[]): Promise<Set<string>> {
    const postings = entries.flatMap((entry) => entry.postings.map((p) => ({ key: entry.idempotencyKey, ...p })));
    const rows = await this.db.query<{ key: string }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::"LedgerEntryKind"[], $5::text[], $6::text[])
           WITH ORDINALITY AS i(key, loan_id, value_date, kind, reference, narration, n)
       ), entry AS (
         INSERT INTO ledger_entry (idempotency_key, loan_id, value_date, kind, reference, narration)
         SELECT key, loan_id, value_date, kind, reference, narration FROM input ORDER BY n
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, idempotency_key, loan_id
       ), posted AS (
         INSERT INTO ledger_posting (entry_id, account, loan_id, amount_micros, memo)
         SELECT entry.id, p.account, entry.loan_id, p.amount, p.memo
         FROM unnest($7::text[], $8::"LedgerAccount"[], $9::bigint[], $10::text[]) WITH ORDINALITY AS p(key, account, amount, memo, n)
         JOIN entry ON entry.idempotency_key = p.key
         ORDER BY p.n
         RETURNING 1
       )
       SELECT idempotency_key AS key FROM entry`,
      [
        entries.map((e) => e.idempotencyKey),
        entries.map((e) => e.loanId),
        entries.map((e) => e.valueDate),
        entries.map((e) => e.kind),
        entries.map((e) => e.reference),
        entries.map((e) => e.narration),
        postings.map((p) => p.key),
        postings.map((p) => p.account),
        postings.map((p) => p.amountMicros.toString()),
        postings.map((p) => p.memo ?? null),
      ],
    );
    return new Set(rows.map((row) => row.key));
  }

  async entriesByKeys(idempotencyKeys: readonly string[]): Promise<PostedEntry[]> {
    if (idempotencyKeys.length === 0) return [];
    const rows = await this.db.read<EntryRow>(`${ENTRY_SELECT} WHERE e.idempotency_key = ANY($1::text[]) GROUP BY e.id`, [idempotencyKeys]);
    return rows.map(postedEntry);
  }

  async entryByKey(idempotencyKey: string): Promise<PostedEntry | null> {
    const rows = await this.db.read<EntryRow>(`${ENTRY_SELECT} WHERE e.idempotency_key = $1 GROUP BY e.id`, [idempotencyKey]);
    return rows[0] ? postedEntry(rows[0]) : null;
  }

  /** The loan's entries with value dates up to `to` (YYYY-MM-DD) when given, in value-date order, then as posted. */
  async entriesOfLoan(loanId: string, to?: string): Promise<PostedEntry[]> {
    const rows = await this.db.read<EntryRow>(
      `${ENTRY_SELECT} WHERE e.loan_id = $1 AND ($2::date IS NULL OR e.value_date <= $2::date) GROUP BY e.id ORDER BY e.value_date, e.id`,
      [loanId, to ?? null],
    );
    return rows.map(postedEntry);
  }

  /** The loans' postings summed by account and entry kind, value dates up to `asOf` when given. */
  async totalsOfLoans(loanIds: readonly string[], asOf?: string): Promise<Array<PostingTotal & { loanId: string }>> {
    if (loanIds.length === 0) return [];
    return this.db.read<PostingTotal & { loanId: string }>(
      `SELECT p.loan_id AS "loanId", p.account, e.kind, SUM(p.amount_micros)::bigint AS "amountMicros"
       FROM ledger_posting p JOIN ledger_entry e ON e.id = p.entry_id
       WHERE p.loan_id = ANY($1::text[]) AND ($2::date IS NULL OR e.value_date <= $2::date)
       GROUP BY p.loan_id, p.account, e.kind`,
      [loanIds, asOf ?? null],
    );
  }

  /** The raw balance (debit positive) of one account: of one loan, or of the whole book when `loanId` is undefined. */
  async balance(account: LedgerAccount, loanId: string | undefined, asOf?: string): Promise<bigint> {
    const rows = await this.db.read<{ balance: bigint }>(
      `SELECT COALESCE(SUM(p.amount_micros), 0)::bigint AS balance
       FROM ledger_posting p JOIN ledger_entry e ON e.id = p.entry_id
       WHERE p.account = $1::"LedgerAccount" AND ($2::text IS NULL OR p.loan_id = $2) AND ($3::date IS NULL OR e.value_date <= $3::date)`,
      [account, loanId ?? null, asOf ?? null],
    );
    return rows[0].balance;
  }

  /** Debits and credits per account (of one loan, or of the whole book), value dates up to `asOf` when given. */
  async accountTotals(loanId: string | undefined, asOf?: string): Promise<Array<{ account: LedgerAccount; debitMicros: bigint; creditMicros: bigint }>> {
    return this.db.read(
      `SELECT p.account,
         COALESCE(SUM(p.amount_micros) FILTER (WHERE p.amount_micros > 0), 0)::bigint AS "debitMicros",
         COALESCE(-SUM(p.amount_micros) FILTER (WHERE p.amount_micros < 0), 0)::bigint AS "creditMicros"
       FROM ledger_posting p JOIN ledger_entry e ON e.id = p.entry_id
       WHERE ($1::text IS NULL OR p.loan_id = $1) AND ($2::date IS NULL OR e.value_date <= $2::date)
       GROUP BY p.account`,
      [loanId ?? null, asOf ?? null],
    );
  }
}
