import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { rateLimiter } from '../redis/rate-limiter.js';
import { REDIS } from '../redis/redis.module.js';

/**
 * SSO responses accepted per client IP per login window (SSO_MAX_PER_IP per
 * LOGIN_WINDOW_SECONDS), so a flood of forged or replayed responses costs little and cannot
 * fill the audit log. Shared in Redis; in memory in single-node mode.
 */
@Injectable()
export class SsoThrottle {
  private readonly perIp: RateLimiterAbstract;
  private readonly max: number;

  constructor(config: AppConfig, @Inject(REDIS) redis: Redis | null) {
    const { SSO_MAX_PER_IP, LOGIN_WINDOW_SECONDS, REDIS_PREFIX } = config.env;
    this.max = SSO_MAX_PER_IP;
    this.perIp = rateLimiter(redis, `${REDIS_PREFIX}:sso-ip`, SSO_MAX_PER_IP, LOGIN_WINDOW_SECONDS);
  }

  /** Counts one response from this IP; over the budget, throws `SsoThrottled` (429 `sso_throttled`). */
  async consume(ip: string): Promise<void> {
    try {
      await this.perIp.consume(ip);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      throw new SsoThrottled(Math.max(1, Math.ceil(e.msBeforeNext / 1000)), e.consumedPoints === this.max + 1);
    }
  }
}

/** `firstRefusal` is true only for the first refusal of an IP's window: the one worth auditing. */
export class SsoThrottled extends DomainError {
  constructor(
    retryAfterSeconds: number,
    readonly firstRefusal: boolean,
  ) {
    super(429, 'sso_throttled', 'Too many single sign-on responses from this address; try again later', { retryAfterSeconds });
  }
}
