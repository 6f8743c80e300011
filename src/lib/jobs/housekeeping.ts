import { Logger } from 'pino';
import { JobStoreRepository } from './job-store.repository';

/** How long bookkeeping rows are kept. Google's integrator rules ask for requestIds to be kept 30 days. */
export const RETENTION = {
  idempotencyRecordDays: 30,
  processedMessageDays: 30,
  publishedOutboxDays: 7,
} as const;

/** Deletes bookkeeping rows past their retention, in small batches; safe to run from several processes. */
export function pruneExpired(store: JobStoreRepository, now = new Date()): Promise<{ idempotency: number; processed: number; outbox: number }> {
  const before = (days: number) => new Date(now.getTime() - days * 86_400_000);
  return store.pruneBefore({
    idempotency: before(RETENTION.idempotencyRecordDays),
    processed: before(RETENTION.processedMessageDays),
    outbox: before(RETENTION.publishedOutboxDays),
  });
}

/** Runs `task` every `everyMs` (unref'd), logging failures; for periodic sweeps such as housekeeping and reconciling. */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly name: string, private readonly task: () => Promise<unknown>, private readonly logger: Logger, private readonly everyMs: number) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.task()
        .then((result) => this.logger.debug({ result }, `${this.name} done`))
        .catch((err) => this.logger.warn({ err }, `${this.name} failed; will retry`))
        .finally(() => (this.running = undefined));
    }, this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
