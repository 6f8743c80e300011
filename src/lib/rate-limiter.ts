import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Metrics, noMetrics } from './metrics/metrics';

/** At most `points` events per `seconds`; the window starts with the key's first event and ends `seconds` later. */
export interface RateWindow {
  points: number;
  seconds: number;
}

/**
 * What a limit does while Redis cannot be reached.
 * - `fail-closed`: `take` rejects with RateLimitUnavailableError at once (the API answers 503): for a limit
 *   whose point is to protect something costly or abusable, where serving unlimited is worse than not serving.
 * - `fail-open`: `take` counts in this process alone until Redis is back, so N API processes allow up to N
 *   times the limit meanwhile: for a limit that only shapes traffic.
 */
export type WhenRedisIsDown = 'fail-closed' | 'fail-open';

/** A limit of one or more windows on keys (a partner id, a phone's keyed hash), shared by every process through Redis. */
export interface RateLimit {
  /**
   * Counts one event on `key`. Resolves 0 when every window allows it; otherwise the event is refused and the
   * answer is the seconds (at least 1) until the refusing window ends. A refused event is not counted in the
   * windows that allowed it. Rejects with RateLimitUnavailableError when Redis cannot be reached and the
   * limit fails closed.
   */
  take(key: string): Promise<number>;
  /** Uncounts an event that `take` allowed but that did not happen after all (its transaction rolled back). */
  giveBack(key: string): Promise<void>;
}

/** Redis, where a limit's counters live, cannot be reached: the caller should answer 503 and be retried later. */
export class RateLimitUnavailableError extends Error {
  readonly code = 'RATE_LIMIT_UNAVAILABLE';

  constructor(cause: unknown) {
    super('The rate-limit store (Redis) cannot be reached', { cause });
    this.name = 'RateLimitUnavailableError';
  }
}

/**
 * Limits counted in Redis with rate-limiter-flexible (an atomic INCR-and-expire script per window), so they
 * hold across API processes. Keys are `<prefix>:limit:<name>:<seconds>s:<key>`. A key refused once is then
 * refused in this process without asking Redis until its window ends. While Redis is not ready a limit
 * answers at once, as its WhenRedisIsDown says, rather than queueing the command.
 */
export class RateLimiter {
  private readonly limits = new Map<string, RateLimit>();

  /** `metrics` counts each refusal by the limit's name (`credit_partner_rate_limit_refusals_total`). */
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly metrics: Metrics = noMetrics) {}

  /** The limit `name` with these windows; made once and reused (a partner's limit is looked up per request). */
  limit(name: string, windows: RateWindow[], whenDown: WhenRedisIsDown): RateLimit {
    const id = `${name}|${whenDown}|${windows.map((w) => `${w.points}/${w.seconds}`).join(',')}`;
    let limit = this.limits.get(id);
    if (!limit) {
      if (!windows.length) throw new Error(`The limit ${name} has no window`);
      limit = new WindowedLimit(windows.map((window) => this.window(name, window, whenDown)), () => this.metrics.rateLimited(name));
      this.limits.set(id, limit);
    }
    return limit;
  }

  private window(name: string, { points, seconds }: RateWindow, whenDown: WhenRedisIsDown): RateLimiterRedis {
    const options = { keyPrefix: `${this.prefix}:limit:${name}:${seconds}s`, points, duration: seconds };
    return new RateLimiterRedis({
      ...options,
      storeClient: this.redis,
      rejectIfRedisNotReady: true,
      inMemoryBlockOnConsumed: points + 1,
      insuranceLimiter: whenDown === 'fail-open' ? new RateLimiterMemory(options) : undefined,
    });
  }
}

class WindowedLimit implements RateLimit {
  constructor(private readonly windows: RateLimiterRedis[], private readonly refused: () => void) {}

  async take(key: string): Promise<number> {
    const outcomes = await Promise.all(this.windows.map((window) => window.consume(key).then(() => 'allowed' as const, (refusal: unknown) => refusal)));
    const failure = outcomes.find((outcome) => outcome !== 'allowed' && !(outcome instanceof RateLimiterRes));
    const refusals = outcomes.filter((outcome): outcome is RateLimiterRes => outcome instanceof RateLimiterRes);
    if (failure === undefined && !refusals.length) return 0;
    await Promise.all(this.windows.map((window, i) => (outcomes[i] === 'allowed' ? window.reward(key).catch(() => undefined) : undefined)));
    if (failure !== undefined) throw new RateLimitUnavailableError(failure);
    this.refused();
    return Math.max(1, Math.ceil(Math.max(...refusals.map((refusal) => refusal.msBeforeNext)) / 1000));
  }

  async giveBack(key: string): Promise<void> {
    await Promise.all(this.windows.map((window) => window.reward(key)));
  }
}
