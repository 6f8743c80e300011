import { Database } from '../db/database';

export interface IdempotencyKey {
  partnerId: string;
  requestId: string;
}

export interface StoredAnswer {
  operation: string;
  fingerprint: string;
  /** The answer, sealed (AES-256-GCM) by `Idempotency`: this table never holds an answer in clear. */
  responseCiphertext: string;
}

export class IdempotencyRepository {
  constructor(private readonly db: Database) {}

  /**
   * Claims the key in the caller's transaction. A concurrent claim of the same key waits on the unique
   * index until the first transaction ends, then sees its row. Returns the claim's id, or null when taken.
   */
  async claim(key: IdempotencyKey, operation: string, fingerprint: string): Promise<bigint | null> {
    const [claimed] = await this.db.query<{ id: bigint }>(
      `INSERT INTO idempotency_record (partner_id, request_id, operation, fingerprint, http_status, response_ciphertext)
       VALUES ($1, $2, $3, $4, 0, '') ON CONFLICT (partner_id, request_id) DO NOTHING RETURNING id`,
      [key.partnerId, key.requestId, operation, fingerprint],
    );
    return claimed?.id ?? null;
  }

  async find(key: IdempotencyKey): Promise<StoredAnswer | null> {
    const [row] = await this.db.query<StoredAnswer>(
      `SELECT operation, fingerprint, response_ciphertext AS "responseCiphertext" FROM idempotency_record WHERE partner_id = $1 AND request_id = $2`,
      [key.partnerId, key.requestId],
    );
    return row ?? null;
  }

  async complete(id: bigint, responseCiphertext: string): Promise<void> {
    await this.db.write(`UPDATE idempotency_record SET http_status = 200, response_ciphertext = $2 WHERE id = $1`, [id, responseCiphertext]);
  }
}
