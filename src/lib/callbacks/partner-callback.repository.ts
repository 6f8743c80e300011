import { Database } from '../db/database';
import { Table } from '../db/table';

/**
 * An asynchronous answer owed to a partner, whatever the protocol: recorded (with what is needed to build it,
 * sealed) in the transaction that accepts the request, built once, then delivered. `bodyCiphertext` is null
 * until the answer is built; once set it never changes, so every delivery attempt sends the same bytes.
 */
export interface PartnerCallback {
  id: string;
  partnerId: string;
  /** The protocol's name of the answer, e.g. `loanApplications/createLoanResponse`. */
  operation: string;
  /** The partner's id of the request this answers (unique per partner and operation). */
  requestId: string;
  /** The partner's references the answer is about (e.g. loan application ids), for reading back. */
  subjects: string[];
  contextCiphertext: string;
  bodyCiphertext: string | null;
  builtAt: Date | null;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  /** When the last delivery attempt was made (null: none yet). */
  lastAttemptAt: Date | null;
  /** How many times the reconciler staged it again after the queue gave up, and when last. */
  redrives: number;
  redrivenAt: Date | null;
}

export type NewPartnerCallback = Pick<PartnerCallback, 'id' | 'partnerId' | 'operation' | 'requestId' | 'subjects' | 'contextCiphertext'>;

const CALLBACK = new Table<PartnerCallback>('partner_callback', {
  id: 'id',
  partnerId: 'partner_id',
  operation: 'operation',
  requestId: 'request_id',
  subjects: 'subjects',
  contextCiphertext: 'context_ciphertext',
  bodyCiphertext: 'body_ciphertext',
  builtAt: 'built_at',
  attempts: 'attempts',
  lastError: 'last_error',
  deliveredAt: 'delivered_at',
  createdAt: 'created_at',
  lastAttemptAt: 'last_attempt_at',
  redrives: 'redrives',
  redrivenAt: 'redriven_at',
});

export class PartnerCallbackRepository {
  constructor(private readonly db: Database) {}

  /** Records the intent, in the caller's transaction. */
  async create(callback: NewPartnerCallback): Promise<void> {
    const { sql, values } = CALLBACK.insert(callback);
    await this.db.write(sql, values);
  }

  async byId(id: string): Promise<PartnerCallback | null> {
    const [row] = await this.db.query<PartnerCallback>(`SELECT ${CALLBACK.selectList()} FROM partner_callback WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** The answer owed for one request of the partner. */
  async byRequest(partnerId: string, operation: string, requestId: string): Promise<PartnerCallback | null> {
    const [row] = await this.db.query<PartnerCallback>(
      `SELECT ${CALLBACK.selectList()} FROM partner_callback WHERE partner_id = $1 AND operation = $2 AND request_id = $3`,
      [partnerId, operation, requestId],
    );
    return row ?? null;
  }

  /** Stores the built answer unless one is stored already; answers the one in force (the first built wins). */
  async storeBody(id: string, bodyCiphertext: string): Promise<string> {
    const [row] = await this.db.query<{ bodyCiphertext: string }>(
      `UPDATE partner_callback SET body_ciphertext = COALESCE(body_ciphertext, $2), built_at = COALESCE(built_at, now())
       WHERE id = $1 RETURNING body_ciphertext AS "bodyCiphertext"`,
      [id, bodyCiphertext],
    );
    if (!row) throw new Error(`No partner callback ${id}`);
    return row.bodyCiphertext;
  }

  /** Counts one delivery attempt and its outcome (`error` undefined: delivered). */
  async recordAttempt(id: string, error: string | undefined): Promise<void> {
    await this.db.query(
      `UPDATE partner_callback SET attempts = attempts + 1, last_error = $2, last_attempt_at = now(),
         delivered_at = CASE WHEN $2::text IS NULL THEN COALESCE(delivered_at, now()) ELSE delivered_at END
       WHERE id = $1`,
      [id, error ?? null],
    );
  }

  /** The partner's built answers about `subject`, newest first. */
  async builtFor(partnerId: string | undefined, subject: string, limit: number): Promise<PartnerCallback[]> {
    return this.db.query<PartnerCallback>(
      `SELECT ${CALLBACK.selectList()} FROM partner_callback
       WHERE ($1::text IS NULL OR partner_id = $1) AND $2 = ANY(subjects) AND body_ciphertext IS NOT NULL
       ORDER BY built_at DESC, id DESC LIMIT $3`,
      [partnerId ?? null, subject, limit],
    );
  }

  /**
   * Claims, in the caller's transaction, up to `limit` callbacks not delivered and left alone since `before` (not
   * created, tried or re-driven after it) that were re-driven fewer than `maxRedrives` times, oldest first, and
   * counts one more re-drive of each at `now`. Rows claimed by a concurrent sweep are skipped.
   */
  async claimStalled(before: Date, now: Date, maxRedrives: number, limit: number): Promise<Array<Pick<PartnerCallback, 'id' | 'partnerId' | 'operation' | 'redrives'>>> {
    return this.db.query(
      `WITH claimed AS (
         UPDATE partner_callback SET redrives = redrives + 1, redriven_at = $2
         WHERE id IN (
           SELECT id FROM partner_callback
           WHERE delivered_at IS NULL AND redrives < $3 AND GREATEST(created_at, last_attempt_at, redriven_at) < $1
           ORDER BY created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING id, partner_id, operation, redrives, created_at)
       SELECT id, partner_id AS "partnerId", operation, redrives FROM claimed ORDER BY created_at, id`,
      [before, now, maxRedrives, limit],
    );
  }
}
