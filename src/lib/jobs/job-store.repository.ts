import { Database } from '../db/database';

export interface PendingMessage {
  id: string;
  topic: string;
  payload: unknown;
  /** The W3C trace context of the work that staged it (none for work staged outside any trace). */
  traceparent: string | null;
  tracestate: string | null;
}

/** The outbox, the processed-message marks and their pruning: all of the job system's database access. */
export class JobStoreRepository {
  constructor(private readonly db: Database) {}

  /** Writes one message in the caller's transaction. */
  async stage(message: { id: string; topic: string; payload: unknown; availableAt: Date; trace?: { traceparent: string; tracestate?: string } }): Promise<void> {
    await this.db.write(`INSERT INTO outbox_message (id, topic, payload, available_at, trace_parent, trace_state) VALUES ($1, $2, $3, $4, $5, $6)`, [
      message.id,
      message.topic,
      JSON.stringify(message.payload),
      message.availableAt,
      message.trace?.traceparent ?? null,
      message.trace?.tracestate ?? null,
    ]);
  }

  /**
   * Claims up to `limit` committed, due messages (SKIP LOCKED, so several relays share the work), hands
   * them to `publish`, and marks them published in the same transaction.
   */
  async publishDue(limit: number, publish: (messages: PendingMessage[]) => Promise<void>): Promise<number> {
    return this.db.transaction(async () => {
      const rows = await this.db.query<PendingMessage>(
        `SELECT id, topic, payload, trace_parent AS traceparent, trace_state AS tracestate FROM outbox_message
         WHERE published_at IS NULL AND available_at <= now()
         ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await publish(rows);
      await this.db.write(`UPDATE outbox_message SET published_at = now() WHERE id = ANY($1::text[])`, [rows.map((row) => row.id)]);
      return rows.length;
    });
  }

  /**
   * The outbox's backlog: due messages not yet published, and the age in seconds of the oldest (0 when none).
   * Read at each metrics scrape.
   */
  async backlog(): Promise<{ unpublished: number; oldestAgeSeconds: number }> {
    const [row] = await this.db.read<{ unpublished: string | number | bigint; age: number | string | null }>(
      `SELECT count(*) AS unpublished, EXTRACT(EPOCH FROM now() - min(available_at))::float8 AS age
         FROM outbox_message WHERE published_at IS NULL AND available_at <= now()`,
    );
    return { unpublished: Number(row?.unpublished ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.age ?? 0)) };
  }

  /** Marks a message processed by `handler` in the caller's transaction; false when it already was. */
  async claimProcessed(handler: string, messageId: string): Promise<boolean> {
    const claimed = await this.db.query(
      `INSERT INTO processed_message (handler, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING message_id`,
      [handler, messageId],
    );
    return claimed.length === 1;
  }

  /** Deletes bookkeeping rows older than the cut-offs, at most 5000 of each per call. */
  async pruneBefore(cutoffs: { idempotency: Date; processed: Date; outbox: Date }): Promise<{ idempotency: number; processed: number; outbox: number }> {
    const idempotency = await this.db.prisma.$executeRaw`
      DELETE FROM idempotency_record WHERE id IN (
        SELECT id FROM idempotency_record WHERE created_at < ${cutoffs.idempotency} LIMIT 5000)`;
    const processed = await this.db.prisma.$executeRaw`
      DELETE FROM processed_message WHERE (handler, message_id) IN (
        SELECT handler, message_id FROM processed_message WHERE processed_at < ${cutoffs.processed} LIMIT 5000)`;
    const outbox = await this.db.prisma.$executeRaw`
      DELETE FROM outbox_message WHERE id IN (
        SELECT id FROM outbox_message WHERE published_at IS NOT NULL AND published_at < ${cutoffs.outbox} LIMIT 5000)`;
    return { idempotency, processed, outbox };
  }
}
