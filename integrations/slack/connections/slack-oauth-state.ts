import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig, secretsKeyBytes } from '../../../src/config/app-config.js';
import { REDIS } from '../../../src/redis/redis.module.js';
import { SlackError, SlackErrorCode } from '../slack-error.js';

/** How long an "Add to Slack" started here may come back. */
export const INSTALL_STATE_TTL_MS = 10 * 60_000;

export interface SlackInstallState {
  orgId: string;
  userId: string;
}

/**
 * The OAuth `state` of an install: `<payload>.<hmac>` in base64url, the payload naming the org,
 * the admin, a nonce and the expiry, signed with a key derived from SECRETS_KEY. Each nonce is
 * spent on first use (Redis SET NX with a TTL when REDIS_URL is set, else this process's memory),
 * so a state is refused when forged, expired, reused or brought back by another user.
 */
@Injectable()
export class SlackOAuthState {
  private readonly spent = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly config: AppConfig,
  ) {}

  issue(state: SlackInstallState, now = Date.now()): string {
    const payload = Buffer.from(
      JSON.stringify({ o: state.orgId, u: state.userId, n: randomBytes(16).toString('base64url'), e: now + INSTALL_STATE_TTL_MS }),
    ).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** Checks signature, expiry and binding, then spends the state; throws SlackError otherwise. */
  async redeem(value: unknown, expected: SlackInstallState, now = Date.now()): Promise<void> {
    const [payload, mac, extra] = typeof value === 'string' ? value.split('.') : [];
    if (!payload || !mac || extra !== undefined || !this.macMatches(payload, mac)) throw invalid('The install state is missing or not ours');
    const claims = parse(payload);
    if (!claims || claims.e <= now) throw invalid('The install state has expired; start again');
    if (claims.o !== expected.orgId || claims.u !== expected.userId) throw invalid('The install was started by another user or organisation');
    if (!(await this.spend(claims.n, claims.e - now))) throw invalid('The install state was already used');
  }

  private async spend(nonce: string, ttlMs: number): Promise<boolean> {
    const key = `${this.config.env.REDIS_PREFIX}:slack:oauth-state:${nonce}`;
    if (this.redis) return (await this.redis.set(key, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
    const now = Date.now();
    for (const [k, until] of this.spent) if (until <= now) this.spent.delete(k);
    if (this.spent.has(key)) return false;
    this.spent.set(key, now + ttlMs);
    return true;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key()).update(payload).digest('base64url');
  }

  private macMatches(payload: string, mac: string): boolean {
    const want = Buffer.from(this.sign(payload));
    const got = Buffer.from(mac);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  private key(): Buffer {
    const raw = this.config.env.SECRETS_KEY;
    const secret = raw ? secretsKeyBytes(raw) : null;
    if (!secret) throw new SlackError(SlackErrorCode.OAuthNotConfigured, 'SECRETS_KEY is not set: Slack installs cannot be signed or stored');
    return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'chorus slack oauth state', 32));
  }
}

const invalid = (detail: string) => new SlackError(SlackErrorCode.OAuthStateInvalid, detail);

/** Only called once the MAC matched, so the payload is one `issue` wrote. */
function parse(payload: string): { o: string; u: string; n: string; e: number } | null {
  const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return typeof c.o === 'string' && typeof c.u === 'string' && typeof c.n === 'string' && typeof c.e === 'number'
    ? { o: c.o, u: c.u, n: c.n, e: c.e }
    : null;
}
