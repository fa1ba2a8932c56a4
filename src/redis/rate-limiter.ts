import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** A counter shared by every process through Redis, or kept in memory in single-node mode (no Redis). */
export function rateLimiter(redis: Redis | null, keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract {
  return redis
    ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: durationSeconds })
    : new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
}
