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
      `UPDATE partner_callback SET attempts = attempts + 1, last_error = $2,
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
}
