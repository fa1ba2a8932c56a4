import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { rateLimiter } from '../redis/rate-limiter.js';
import { REDIS } from '../redis/redis.module.js';

/**
 * Two limits on password login: failures per account (org + email), which lock the account's
 * password login for the window, and attempts per client IP. Counted in Redis so every API
 * process shares them; in memory in single-node mode.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures: RateLimiterAbstract;
  private readonly perIp: RateLimiterAbstract;
  private readonly maxFailures: number;

  constructor(config: AppConfig, @Inject(REDIS) redis: Redis | null) {
    const { LOGIN_MAX_FAILURES, LOGIN_WINDOW_SECONDS, LOGIN_MAX_PER_IP, REDIS_PREFIX } = config.env;
    this.maxFailures = LOGIN_MAX_FAILURES;
    const make = (keyPrefix: string, points: number) => rateLimiter(redis, keyPrefix, points, LOGIN_WINDOW_SECONDS);
    this.failures = make(`${REDIS_PREFIX}:login-fail`, LOGIN_MAX_FAILURES);
    this.perIp = make(`${REDIS_PREFIX}:login-ip`, LOGIN_MAX_PER_IP);
  }

  /** Throws 429 when the IP is over its budget or the account is locked out. */
  async beforeAttempt(accountKey: string, ip: string): Promise<void> {
    try {
      await this.perIp.consume(ip);
    } catch (e) {
      throw throttled(e);
    }
    const state = await this.failures.get(accountKey);
    if (state && state.consumedPoints >= this.maxFailures) throw throttled(state);
  }

  async failed(accountKey: string): Promise<void> {
    await this.failures.penalty(accountKey, 1);
  }

  async succeeded(accountKey: string): Promise<void> {
    await this.failures.delete(accountKey);
  }
}

function throttled(e: unknown): DomainError {
  if (!(e instanceof RateLimiterRes)) throw e;
  const retryAfterSeconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
  return new DomainError(429, 'login_throttled', 'Too many sign-in attempts; try again later', { retryAfterSeconds });
}
