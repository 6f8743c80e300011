import { Logger } from 'pino';
import { Database } from '../db/database';

/** How long bookkeeping rows are kept. Google's integrator rules ask for requestIds to be kept 30 days. */
export const RETENTION = {
  idempotencyRecordDays: 30,
  processedMessageDays: 30,
  publishedOutboxDays: 7,
} as const;

/** Deletes bookkeeping rows past their retention, in small batches; safe to run from several processes. */
export async function pruneExpired(db: Database, now = new Date()): Promise<{ idempotency: number; processed: number; outbox: number }> {
  const before = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const idempotency = await db.prisma.$executeRaw`
    DELETE FROM idempotency_record WHERE id IN (
      SELECT id FROM idempotency_record WHERE created_at < ${before(RETENTION.idempotencyRecordDays)} LIMIT 5000)`;
  const processed = await db.prisma.$executeRaw`
    DELETE FROM processed_message WHERE (handler, message_id) IN (
      SELECT handler, message_id FROM processed_message WHERE processed_at < ${before(RETENTION.processedMessageDays)} LIMIT 5000)`;
  const outbox = await db.prisma.$executeRaw`
    DELETE FROM outbox_message WHERE id IN (
      SELECT id FROM outbox_message WHERE published_at IS NOT NULL AND published_at < ${before(RETENTION.publishedOutboxDays)} LIMIT 5000)`;
  return { idempotency, processed, outbox };
}

export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Database, private readonly logger: Logger, private readonly everyMs = 3_600_000) {}

  start(): void {
    this.timer = setInterval(() => {
      pruneExpired(this.db)
        .then((deleted) => this.logger.info({ deleted }, 'housekeeping pruned expired rows'))
        .catch((err) => this.logger.warn({ err }, 'housekeeping failed; will retry'));
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
