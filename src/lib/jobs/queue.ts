import { Job, Queue, Worker } from 'bullmq';
import { Logger } from 'pino';
import { Database } from '../db/database';

export const QUEUE_NAME = 'work';

export interface JobContext {
  messageId: string;
  attempt: number;
}

/** A job handler: must be idempotent (the queue delivers at least once). */
export type JobHandler = (payload: Record<string, unknown>, context: JobContext) => Promise<void>;

export interface RedisConnectionOptions {
  url: string;
  prefix: string;
}

function connection(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export function createQueue(options: RedisConnectionOptions): Queue {
  return new Queue(QUEUE_NAME, {
    connection: { ...connection(options.url), enableOfflineQueue: false },
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/**
 * Moves committed outbox rows to the queue. The BullMQ jobId is the outbox id, so publishing the same row
 * twice (two relays, a crash between add and mark) adds one job. Rows are claimed with SKIP LOCKED.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly queue: Queue,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, this.pollMs);
    };
    tick();
  }

  /** Publishes now (coalescing concurrent calls). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((err) => this.logger.warn({ err }, 'outbox relay pass failed; will retry'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.db.prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<Array<{ id: string; topic: string; payload: Record<string, unknown>; available_at: Date }>>`
          SELECT id, topic, payload, available_at FROM outbox_message
          WHERE published_at IS NULL AND available_at <= now()
          ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return 0;
        await this.queue.addBulk(
          rows.map((row) => ({ name: row.topic, data: row.payload, opts: { jobId: row.id } })),
        );
        await tx.outboxMessage.updateMany({ where: { id: { in: rows.map((row) => row.id) } }, data: { publishedAt: new Date() } });
        return rows.length;
      });
      total += published;
      if (published < 100) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * Consumes the queue. Each handler's effect is committed together with a `processed_message` row, so a
 * redelivered job (stalled worker, retry after a crash) finds the row and does nothing.
 */
export class JobWorker {
  private worker: Worker | undefined;

  constructor(
    private readonly db: Database,
    private readonly handlers: Record<string, JobHandler>,
    private readonly logger: Logger,
  ) {}

  start(options: RedisConnectionOptions, concurrency: number): void {
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
      connection: connection(options.url),
      prefix: options.prefix,
      concurrency,
    });
    this.worker.on('failed', (job, err) =>
      this.logger.warn({ jobId: job?.id, topic: job?.name, attempt: job?.attemptsMade, err }, 'job failed'),
    );
    this.worker.on('error', (err) => this.logger.error({ err }, 'worker error'));
  }

  async process(job: Pick<Job, 'id' | 'name' | 'data' | 'attemptsMade'>): Promise<void> {
    const handler = this.handlers[job.name];
    if (!handler) throw new Error(`No handler for job topic ${job.name}`);
    const messageId = String(job.id);
    await this.db.transaction(async () => {
      const claimed = await this.db.client.$executeRaw`
        INSERT INTO processed_message (handler, message_id) VALUES (${job.name}, ${messageId}) ON CONFLICT DO NOTHING`;
      if (claimed === 0) {
        this.logger.info({ jobId: messageId, topic: job.name }, 'job already processed; skipping');
        return;
      }
      await handler(job.data as Record<string, unknown>, { messageId, attempt: job.attemptsMade + 1 });
    });
    this.logger.debug({ jobId: messageId, topic: job.name }, 'job done');
  }

  async stop(): Promise<void> {
    await this.worker?.close();
  }
}
