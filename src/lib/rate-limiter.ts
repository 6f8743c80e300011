import { Redis } from 'ioredis';

/** Fixed-window counters in Redis, shared by every process of the deployment. */
export class RateLimiter {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  /** Counts one hit on `key`; 0 when within `limit` per `windowSeconds`, else the seconds until the window ends. */
  async hit(key: string, limit: number, windowSeconds: number): Promise<number> {
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const redisKey = `${this.prefix}:rate:${key}:${window}`;
    const [[, count]] = (await this.redis.multi().incr(redisKey).expire(redisKey, windowSeconds + 1).exec()) as [[null, number], unknown];
    if (count <= limit) return 0;
    return Math.max(1, (window + 1) * windowSeconds - Math.floor(Date.now() / 1000));
  }
}
