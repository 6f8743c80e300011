import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Metrics } from './metrics';

/** Every series of the server starts with this; base units (seconds), counters end in `_total`. */
export const METRIC_PREFIX = 'credit_partner_';

/** Fast answers (requests, adapter calls, pool waits): 5 ms to 10 s. */
const FAST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Slow work (jobs, callbacks): 10 ms to 2 min. */
const SLOW_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Application to credit decision: 100 ms to 1 h. */
const DECISION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** One measurement read when Prometheus scrapes (queue depth, outbox lag, pool clients). */
export interface ScrapeSample {
  labels?: Record<string, string>;
  value: number;
}

/**
 * The metrics of one process, in one prom-client registry (never the library's global one): made once by the
 * composition root, served by the metrics server (metrics-server.ts), on its own port.
 */
export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'surface' | 'operation' | 'partner' | 'status'>;
  private readonly requestSeconds: Histogram<'surface' | 'operation' | 'partner'>;
  private readonly decisionSeconds: Histogram<'outcome'>;
  private readonly jobSeconds: Histogram<'job' | 'outcome'>;
  private readonly jobFailures: Counter<'job'>;
  private readonly jobsExhausted: Counter<'job'>;
  private readonly callbackSeconds: Histogram<'surface' | 'operation' | 'outcome'>;
  private readonly callbacks: Counter<'surface' | 'operation' | 'outcome'>;
  private readonly otpSends: Counter<'context'>;
  private readonly otpFailures: Counter<'reason'>;
  private readonly poolWaitSeconds: Histogram<'pool'>;
  private readonly rateLimitRefusals: Counter<'limit'>;
  private readonly adapterCalls: Counter<'port' | 'method' | 'outcome'>;
  private readonly adapterSeconds: Histogram<'port' | 'method' | 'outcome'>;
  private readonly payoutsStuck: Gauge;
  private readonly readFailures: Counter<'series'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client's gauges named *_total break Prometheus' naming rules (`promtool check metrics` says so); the
    // same counts stay available by type (nodejs_active_handles, nodejs_active_requests, nodejs_active_resources).
    for (const misnamed of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(misnamed);
    const p = METRIC_PREFIX;
    this.requests = new Counter({ name: `${p}http_requests_total`, help: 'HTTP requests answered, by surface, operation, partner and status', labelNames: ['surface', 'operation', 'partner', 'status'], registers });
    this.requestSeconds = new Histogram({ name: `${p}http_request_duration_seconds`, help: 'Time to answer an HTTP request', labelNames: ['surface', 'operation', 'partner'], buckets: FAST_BUCKETS, registers });
    this.decisionSeconds = new Histogram({ name: `${p}credit_decision_seconds`, help: 'Time from an application to its credit decision, by outcome', labelNames: ['outcome'], buckets: DECISION_BUCKETS, registers });
    this.jobSeconds = new Histogram({ name: `${p}job_duration_seconds`, help: 'Time a queue job ran, by job name and outcome', labelNames: ['job', 'outcome'], buckets: SLOW_BUCKETS, registers });
    this.jobFailures = new Counter({ name: `${p}job_failures_total`, help: 'Queue job runs that failed (retried unless exhausted), by job name', labelNames: ['job'], registers });
    this.jobsExhausted = new Counter({ name: `${p}job_exhausted_total`, help: 'Queue jobs that failed their last try, by job name', labelNames: ['job'], registers });
    this.callbackSeconds = new Histogram({ name: `${p}callback_delivery_duration_seconds`, help: 'Time to deliver a partner callback, by surface, operation and outcome', labelNames: ['surface', 'operation', 'outcome'], buckets: SLOW_BUCKETS, registers });
    this.callbacks = new Counter({ name: `${p}callback_deliveries_total`, help: 'Partner callback delivery attempts, by surface, operation and outcome', labelNames: ['surface', 'operation', 'outcome'], registers });
    this.otpSends = new Counter({ name: `${p}otp_sent_total`, help: 'OTP SMS handed to the SMS gateway, by journey step', labelNames: ['context'], registers });
    this.otpFailures = new Counter({ name: `${p}otp_verification_failures_total`, help: 'OTP verifications refused, by reason', labelNames: ['reason'], registers });
    this.poolWaitSeconds = new Histogram({ name: `${p}db_pool_wait_seconds`, help: 'Time spent waiting for a database connection while every one was busy', labelNames: ['pool'], buckets: FAST_BUCKETS, registers });
    this.rateLimitRefusals = new Counter({ name: `${p}rate_limit_refusals_total`, help: 'Events refused by a rate limit, by limit', labelNames: ['limit'], registers });
    this.adapterCalls = new Counter({ name: `${p}adapter_calls_total`, help: 'Calls to the outside world through a port of the core, by port, method and outcome', labelNames: ['port', 'method', 'outcome'], registers });
    this.adapterSeconds = new Histogram({ name: `${p}adapter_call_duration_seconds`, help: 'Time of a call through a port of the core', labelNames: ['port', 'method', 'outcome'], buckets: FAST_BUCKETS, registers });
    this.readFailures = new Counter({ name: `${p}scrape_read_failures_total`, help: 'Reads for a scrape-time series that failed (its last value was served), by series', labelNames: ['series'], registers });
    this.payoutsStuck = new Gauge({ name: `${p}payouts_needing_operator`, help: 'Payouts past their tries without a rail answer, found by the last reconciler sweep', registers });
  }

  /**
   * A gauge read when Prometheus scrapes (`collect` asks the queue or the database). A read that fails (PostgreSQL
   * or Redis down) keeps the last value read and counts the failure in `credit_partner_scrape_read_failures_total` (shown from the next scrape),
   * rather than failing the scrape.
   */
  gaugeOnScrape(name: string, help: string, labelNames: string[], collect: () => Promise<ScrapeSample[]>): void {
    // A second registration (a Background made again on the same services) replaces the first.
    this.registry.removeSingleMetric(`${METRIC_PREFIX}${name}`);
    const readFailures = this.readFailures;
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        let read: ScrapeSample[];
        try {
          read = await collect();
        } catch {
          readFailures.inc({ series: `${METRIC_PREFIX}${name}` });
          return;
        }
        this.reset();
        for (const sample of read) this.set(sample.labels ?? {}, sample.value);
      },
    });
  }

  httpRequest(labels: { surface: string; operation: string; partner: string; status: number }, seconds: number): void {
    this.requests.inc({ ...labels, status: String(labels.status) });
    this.requestSeconds.observe({ surface: labels.surface, operation: labels.operation, partner: labels.partner }, seconds);
  }

  creditDecision(outcome: string, seconds: number): void {
    this.decisionSeconds.observe({ outcome }, Math.max(0, seconds));
  }

  job(name: string, outcome: 'ok' | 'error', seconds: number, exhausted = false): void {
    this.jobSeconds.observe({ job: name, outcome }, seconds);
    if (outcome === 'error') this.jobFailures.inc({ job: name });
    if (exhausted) this.jobsExhausted.inc({ job: name });
  }

  callbackDelivery(labels: { surface: string; operation: string; outcome: 'ok' | 'error' }, seconds: number): void {
    this.callbacks.inc(labels);
    this.callbackSeconds.observe(labels, seconds);
  }

  otpSent(context: string): void {
    this.otpSends.inc({ context });
  }

  otpVerificationFailed(reason: string): void {
    this.otpFailures.inc({ reason });
  }

  databasePoolWait(pool: string, seconds: number): void {
    this.poolWaitSeconds.observe({ pool }, seconds);
  }

  rateLimited(limit: string): void {
    this.rateLimitRefusals.inc({ limit });
  }

  adapterCall(labels: { port: string; method: string; outcome: 'ok' | 'error' }, seconds: number): void {
    this.adapterCalls.inc(labels);
    this.adapterSeconds.observe(labels, seconds);
  }

  payoutsNeedingOperator(count: number): void {
    this.payoutsStuck.set(count);
  }
}
