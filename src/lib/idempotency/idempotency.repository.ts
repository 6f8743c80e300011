import { Database } from '../db/database';

export interface IdempotencyKey {
  partnerId: string;
  requestId: string;
}

export interface StoredAnswer {
  operation: string;
  fingerprint: string;
  responseBody: string;
}

export class IdempotencyRepository {
  constructor(private readonly db: Database) {}

  /**
   * Claims the key in the caller's transaction. A concurrent claim of the same key waits on the unique
   * index until the first transaction ends, then sees its row. Returns the claim's id, or null when taken.
   */
  async claim(key: IdempotencyKey, operation: string, fingerprint: string): Promise<bigint | null> {
    const claimed = await this.db.client.$queryRaw<Array<{ id: bigint }>>`
      INSERT INTO idempotency_record (partner_id, request_id, operation, fingerprint, http_status, response_body)
      VALUES (${key.partnerId}, ${key.requestId}, ${operation}, ${fingerprint}, 0, '')
      ON CONFLICT (partner_id, request_id) DO NOTHING RETURNING id`;
    return claimed[0]?.id ?? null;
  }

  async find(key: IdempotencyKey): Promise<StoredAnswer | null> {
    return this.db.client.idempotencyRecord.findUnique({
      where: { partnerId_requestId: key },
      select: { operation: true, fingerprint: true, responseBody: true },
    });
  }

  async complete(id: bigint, responseBody: string): Promise<void> {
    await this.db.client.idempotencyRecord.update({ where: { id }, data: { httpStatus: 200, responseBody } });
  }
}
