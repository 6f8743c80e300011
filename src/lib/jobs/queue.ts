import { DelayedError, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Logger } from 'pino';
import { UnitOfWork } from '../db/database';
import { continueTrace } from '../trace';
import { isDependencyUnavailable } from '../unavailable';
import { explicitRetryable } from '../adapter-error';
import { Metrics, noMetrics, secondsSince } from '../metrics/metrics';
import { AnyJobDefinition, JobDefinition, JobEnvelope } from './job';
import { JobStoreRepository, PendingMessage } from './job-store.repository';

export const QUEUE_NAME = 'work';

/** How long the relay gathers freshly staged messages before publishing them together. */
const RELAY_BATCH_WINDOW_MS = 5;

export interface RedisConnectionOptions {
  url: string;
  prefix: string;
}

/**
 * How a worker claims its jobs. A running job holds a lock in Redis for `lockMs`, renewed every `lockMs / 2`;
 * every `stalledCheckMs` some worker looks for jobs whose lock lapsed (their worker died) and queues them again.
 * So a job cut off by a crash runs again within about `lockMs + stalledCheckMs` (BullMQ's defaults, 30 s and
 * 30 s, made that up to a minute). A job whose lock lapsed while its worker lives (an event loop blocked for
 * `lockMs / 2`, Redis unreachable for `lockMs`) may run twice at once: handlers are idempotent, and the payout
 * is also claimed in PostgreSQL (`UnitOfWork.exclusively`).
 */
export interface WorkerTuning {
  lockMs: number;
  stalledCheckMs: number;
}

export const DEFAULT_WORKER_TUNING: WorkerTuning = { lockMs: 5_000, stalledCheckMs: 2_000 };

/** A job whose dependency is unreachable waits this long (plus up to half again, spread) and runs again, without using up an attempt. */
const UNAVAILABLE_RETRY_MS = 1_000;

/** A failure that will happen again (an adapter's `retryable: false`): BullMQ gives the job no further attempt. */
function finalFailure(err: unknown): UnrecoverableError {
  const message = err instanceof Error ? err.message : String(err);
  const final = new UnrecoverableError(`${message} (final: not retried)`);
  (final as Error & { cause?: unknown }).cause = err;
  return final;
}

/** How many times a job may be cut off by its worker's death and run again before it fails for good ("stalled more than allowable limit"). */
const MAX_STALLED_COUNT = 3;

/**
 * Logs a run of like failures (a dependency that stays down) as one warn line per `everyMs`, with the count of
 * those it left at debug, so that an outage reads as a few lines rather than one a second.
 */
export function throttledWarn(logger: Logger, message: string, everyMs = 30_000): (fields: Record<string, unknown>) => void {
  let last = 0;
  let quiet = 0;
  return (fields) => {
    const now = Date.now();
    if (now - last < everyMs) {
      quiet++;
      logger.debug(fields, message);
      return;
    }
    logger.warn({ ...fields, ...(quiet ? { alsoSince: quiet } : {}) }, message);
    last = now;
    quiet = 0;
  };
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
    // BullMQ's connections wait for Redis for ever (its commands are never given up), reconnecting at least
    // every second, so a worker and a relay resume within about a second of Redis coming back.
    maxRetriesPerRequest: null,
    connectTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(100 * times, 1_000),
  };
}

/**
 * The producer side (the relay). Its commands fail at once while Redis is unreachable (no offline queue) and
 * after `commandTimeoutMs` when Redis is silent, so a relay pass never holds its outbox transaction for long.
 */
export function createQueue(options: RedisConnectionOptions & { commandTimeoutMs?: number }): Queue {
  return new Queue(QUEUE_NAME, {
    connection: { ...connection(options.url), enableOfflineQueue: false, commandTimeout: options.commandTimeoutMs ?? 5_000 },
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
}

/** The jobs this process can run, each with the dependency its handler needs (the composition root fills it). */
export class JobRegistry {
  private readonly entries = new Map<string, { definition: AnyJobDefinition; deps: unknown }>();

  register<P, D>(definition: JobDefinition<P, D>, deps: D): this {
    if (this.entries.has(definition.name)) throw new Error(`Job ${definition.name} is registered twice`);
    this.entries.set(definition.name, { definition, deps });
    return this;
  }

  get(name: string): { definition: AnyJobDefinition; deps: unknown } | undefined {
    return this.entries.get(name);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }
}

/** A message as the queue carries it: its envelope, with the stored trace context of the work that staged it. */
function queued(row: PendingMessage): unknown {
  if (!row.traceparent) return row.payload;
  return { ...(row.payload as object), traceparent: row.traceparent, ...(row.tracestate ? { tracestate: row.tracestate } : {}) };
}

/**
 * Moves committed outbox rows to the queue. The BullMQ jobId is the outbox id, so publishing the same row
 * twice (two relays, a crash between add and mark) adds one job.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private soonTimer: NodeJS.Timeout | undefined;
  /** Passes failed in a row. */
  private failing = 0;

  constructor(
    private readonly store: JobStoreRepository,
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

  /**
   * Publishes soon: the staged messages of the next few milliseconds go out in one pass (one claim, one
   * addBulk), so a busy API does not run one relay pass per request.
   */
  soon(): void {
    if (this.soonTimer || this.stopped) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.kick();
    }, RELAY_BATCH_WINDOW_MS);
  }

  /** Publishes now (coalescing concurrent calls). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => {
        if (this.failing) this.logger.info({ failedPasses: this.failing }, 'outbox relay resumed');
        this.failing = 0;
      })
      .catch((err) => {
        // Once per outage at warn, not every poll: the relay keeps trying until the dependency is back.
        if (this.failing++ === 0) this.logger.warn({ err }, 'outbox relay pass failed; retrying every poll until it succeeds');
        else this.logger.debug({ err }, 'outbox relay pass failed again');
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async drain(): Promise<number> {
    const batch = 100;
    let total = 0;
    for (;;) {
      const published = await this.store.publishDue(batch, async (rows) => {
        await this.queue.addBulk(rows.map((row) => ({ name: row.topic, data: queued(row), opts: { jobId: row.id } })));
      });
      total += published;
      if (published < batch) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    await this.running;
  }
}

/**
 * Consumes the queue: checks the message's version and payload against its job definition, and runs the handler
 * in a span continuing the trace of the work that staged it (trace.ts `continueTrace`). A transactional job
 * commits its effect together with a `processed_message` row, so a redelivered job does nothing; the others are
 * idempotent by state and call the outside world with no transaction open.
 */
export class JobWorker {
  private worker: Worker | undefined;
  private readonly postponed: (fields: Record<string, unknown>) => void;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: JobStoreRepository,
    private readonly registry: JobRegistry,
    private readonly logger: Logger,
    private readonly metrics: Metrics = noMetrics,
  ) {
    this.postponed = throttledWarn(logger, 'jobs postponed: a dependency is unavailable; each runs again in about a second');
  }

  start(options: RedisConnectionOptions, concurrency: number, tuning: WorkerTuning = DEFAULT_WORKER_TUNING): void {
    this.worker = new Worker(QUEUE_NAME, (job, token) => this.run(job, token), {
      connection: connection(options.url),
      prefix: options.prefix,
      concurrency,
      lockDuration: tuning.lockMs,
      stalledInterval: tuning.stalledCheckMs,
      maxStalledCount: MAX_STALLED_COUNT,
      // After a connection error, fetch again soon (BullMQ waits 15 s by default).
      runRetryDelay: 1_000,
    });
    this.worker.on('failed', (job, err) =>
      this.logger.warn({ jobId: job?.id, topic: job?.name, attempt: job?.attemptsMade, traceId: (job?.data as JobEnvelope | undefined)?.traceId, err }, 'job failed'),
    );
    const unreachable = throttledWarn(this.logger, 'worker cannot reach Redis; retrying');
    this.worker.on('error', (err) => (isDependencyUnavailable(err) ? unreachable({ err }) : this.logger.error({ err }, 'worker error')));
  }

  /**
   * Runs a delivered job. When PostgreSQL or Redis is unreachable, the job is put back for a second or so
   * without counting an attempt: an outage of any length loses no work, and the work resumes within about a
   * second of the dependency's return. An outside service's failure is read as its adapter classified it
   * (src/lib/adapter-error.ts): `retryable: false` fails the job at once (sending the same call again would fail
   * the same way); `retryable: true`, or unclassified, uses an attempt and is retried with the queue's backoff.
   */
  private async run(job: Job, token: string | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await this.process(job);
      this.metrics.job(job.name, 'ok', secondsSince(started));
    } catch (thrown) {
      const retryable = explicitRetryable(thrown);
      const err = retryable === false ? finalFailure(thrown) : thrown;
      if (!token || retryable !== undefined || !isDependencyUnavailable(err)) {
        // BullMQ counts this attempt after we throw: the last one when attemptsMade + 1 reaches the job's attempts.
        const exhausted = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        this.metrics.job(job.name, 'error', secondsSince(started), exhausted);
        throw err;
      }
      this.postponed({ jobId: job.id, topic: job.name, err });
      await job.moveToDelayed(Date.now() + UNAVAILABLE_RETRY_MS * (1 + Math.random() / 2), token);
      throw new DelayedError();
    }
  }

  async process(job: Pick<Job, 'id' | 'name' | 'data' | 'attemptsMade'>): Promise<void> {
    const entry = this.registry.get(job.name);
    if (!entry) throw new UnrecoverableError(`No handler for job ${job.name}`);
    const { definition, deps } = entry;
    const envelope = job.data as JobEnvelope;
    if (envelope?.v !== definition.version) {
      throw new UnrecoverableError(`Job ${job.name} has payload version ${String(envelope?.v)}; this worker runs version ${definition.version}`);
    }
    const parsed = definition.schema.safeParse(envelope.data);
    if (!parsed.success) throw new UnrecoverableError(`Job ${job.name} has an invalid payload: ${parsed.error.message}`);
    const messageId = String(job.id);
    const context = { messageId, attempt: job.attemptsMade + 1 };
    const run = async () => {
      if (!definition.transactional) await definition.handle(deps, parsed.data, context);
      else {
        await this.uow.transaction(async () => {
          if (!(await this.store.claimProcessed(job.name, messageId))) {
            this.logger.info({ jobId: messageId, topic: job.name }, 'job already processed; skipping');
            return;
          }
          await definition.handle(deps, parsed.data, context);
        });
      }
      this.logger.debug({ jobId: messageId, topic: job.name }, 'job done');
    };
    await continueTrace(envelope, messageId, `job ${job.name}`, {
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.message.id': messageId,
      'credit_partner.job': job.name,
      'credit_partner.attempt': context.attempt,
    }, run);
  }

  /**
   * Stops fetching jobs and lets those in flight finish for up to `graceMs`. Past it, cuts the worker's Redis
   * connections and resolves with `forced: true`, leaving the jobs still running to the process's end: their
   * locks lapse and another worker takes them over (their handlers are idempotent, and a payout asks the rail
   * before sending again).
   */
  async stop(graceMs = Infinity): Promise<{ forced: boolean }> {
    const worker = this.worker;
    if (!worker) return { forced: false };
    const closed = worker.close().then(() => ({ forced: false }));
    if (!Number.isFinite(graceMs)) return closed;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<{ forced: boolean }>((resolve) => (timer = setTimeout(() => resolve({ forced: true }), graceMs)));
    const outcome = await Promise.race([closed, late]);
    clearTimeout(timer);
    if (outcome.forced) await worker.disconnect().catch(() => undefined);
    return outcome;
  }
}
