import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppConfig } from '../../../src/config/app-config.js';
import { rateLimiter } from '../../../src/redis/rate-limiter.js';
import { REDIS } from '../../../src/redis/redis.module.js';
import { EmailError, EmailErrorCode } from '../email-error.js';

const HOUR = 60 * 60;

/**
 * Inbound messages per sender address and per org, per hour: counted in Redis so every mail
 * listener shares them (in memory in single-node mode). `check` peeks (MAIL FROM, RCPT TO), so a
 * sender over budget is turned away before sending the message; `consume` counts an accepted one.
 */
@Injectable()
export class EmailRateLimits {
  private readonly perSender: RateLimiterAbstract;
  private readonly perOrg: RateLimiterAbstract;

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) redis: Redis | null,
  ) {
    const { EMAIL_MAX_PER_SENDER_PER_HOUR, EMAIL_MAX_PER_ORG_PER_HOUR, REDIS_PREFIX } = config.env;
    const make = (keyPrefix: string, points: number) => rateLimiter(redis, keyPrefix, points, HOUR);
    this.perSender = make(`${REDIS_PREFIX}:email-sender`, EMAIL_MAX_PER_SENDER_PER_HOUR);
    this.perOrg = make(`${REDIS_PREFIX}:email-org`, EMAIL_MAX_PER_ORG_PER_HOUR);
  }

  async checkSender(sender: string): Promise<void> {
    await this.peek(this.perSender, sender.toLowerCase(), this.config.env.EMAIL_MAX_PER_SENDER_PER_HOUR, 'this sender');
  }

  async checkOrg(orgId: string): Promise<void> {
    await this.peek(this.perOrg, orgId, this.config.env.EMAIL_MAX_PER_ORG_PER_HOUR, 'this organisation');
  }

  /** Counts one accepted message, refusing it when either budget is spent. */
  async consume(sender: string, orgId: string): Promise<void> {
    for (const [limiter, key, who] of [
      [this.perSender, sender.toLowerCase(), 'this sender'],
      [this.perOrg, orgId, 'this organisation'],
    ] as const) {
      try {
        await limiter.consume(key);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        throw limited(who, e.msBeforeNext);
      }
    }
  }

  private async peek(limiter: RateLimiterAbstract, key: string, max: number, who: string): Promise<void> {
    const state = await limiter.get(key);
    if (state && state.consumedPoints >= max) throw limited(who, state.msBeforeNext);
  }
}

function limited(who: string, msBeforeNext: number): EmailError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new EmailError(EmailErrorCode.RateLimited, `Too many messages from ${who}; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
}
