import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/lib/config';
import { RateLimitUnavailableError, RateLimiter } from '../../src/lib/rate-limiter';
import { isDependencyUnavailable } from '../../src/lib/unavailable';

const prefix = `cpt-${randomBytes(5).toString('hex')}`;
let redis: Redis;
/** A port nothing listens on: Redis is down. */
let downRedis: Redis;

beforeAll(async () => {
  redis = new Redis(loadConfig({ APP_ENV: 'sandbox' }).redisUrl, { maxRetriesPerRequest: 2 });
  await redis.ping();
  downRedis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 2, retryStrategy: () => 1_000 });
  downRedis.on('error', () => undefined);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  // A connection attempt in flight is cut within ioredis's 2 s disconnect timeout; between attempts there is none.
  const ended = new Promise((resolve) => downRedis.once('end', resolve));
  downRedis.disconnect();
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2_500).unref())]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const key = () => randomBytes(8).toString('hex');

describe('rate limits in Redis (rate-limiter-flexible)', () => {
  it('when a key has used a window\'s points, then the next take is refused with the seconds until that window ends, and allowed again once it has', async () => {
    const limit = new RateLimiter(redis, prefix).limit('short', [{ points: 2, seconds: 1 }], 'fail-closed');
    const k = key();
    expect([await limit.take(k), await limit.take(k)]).toEqual([0, 0]);
    expect(await limit.take(k)).toBe(1);
    await sleep(1_100);
    expect(await limit.take(k)).toBe(0);
  });

  it('when a limit has two windows, then the longer one still refuses after the shorter has ended, and a refused take is not counted in the window that allowed it', async () => {
    const limit = new RateLimiter(redis, prefix).limit('two', [{ points: 2, seconds: 1 }, { points: 3, seconds: 3_600 }], 'fail-closed');
    const k = key();
    expect([await limit.take(k), await limit.take(k)]).toEqual([0, 0]);
    expect(await limit.take(k)).toBe(1); // the 1 s window refuses; the hour window is not charged for it
    await sleep(1_100);
    expect(await limit.take(k)).toBe(0); // the third of the hour
    const refused = await limit.take(k);
    expect(refused).toBeGreaterThan(3_590);
    expect(refused).toBeLessThanOrEqual(3_600);
    expect(Number(await redis.get(`${prefix}:limit:two:3600s:${k}`))).toBe(4); // only the refusing window counts a refusal
  });

  it('when a take is given back, then its point is free again', async () => {
    const limit = new RateLimiter(redis, prefix).limit('back', [{ points: 1, seconds: 60 }, { points: 5, seconds: 3_600 }], 'fail-closed');
    const k = key();
    expect(await limit.take(k)).toBe(0);
    await limit.giveBack(k);
    expect(await limit.take(k)).toBe(0);
    expect(await limit.take(k)).toBeGreaterThan(0);
  });

  it('when two limiters (two processes) share Redis and a prefix, then they count one limit together', async () => {
    const windows = [{ points: 3, seconds: 60 }];
    const a = new RateLimiter(redis, prefix).limit('shared', windows, 'fail-open');
    const other = new Redis(loadConfig({ APP_ENV: 'sandbox' }).redisUrl);
    await other.ping();
    try {
      const b = new RateLimiter(other, prefix).limit('shared', windows, 'fail-open');
      const k = key();
      expect([await a.take(k), await b.take(k), await a.take(k)]).toEqual([0, 0, 0]);
      expect(await b.take(k)).toBeGreaterThan(0);
      expect(await a.take(k)).toBeGreaterThan(0);
    } finally {
      await other.quit();
    }
  });

  it('when Redis cannot be reached, then a fail-closed limit rejects within a second with an error the API answers 503', async () => {
    const limit = new RateLimiter(downRedis, prefix).limit('closed', [{ points: 5, seconds: 60 }], 'fail-closed');
    const started = Date.now();
    const error = await limit.take(key()).then(() => undefined, (err: unknown) => err);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(RateLimitUnavailableError);
    expect(isDependencyUnavailable(error)).toBe(true);
  });

  it('when Redis cannot be reached, then a fail-open limit counts in this process alone, still refusing past its points', async () => {
    const limit = new RateLimiter(downRedis, prefix).limit('open', [{ points: 2, seconds: 60 }], 'fail-open');
    const k = key();
    const started = Date.now();
    expect([await limit.take(k), await limit.take(k)]).toEqual([0, 0]);
    expect(await limit.take(k)).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
