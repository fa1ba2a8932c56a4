import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { REDIS } from '../../redis/redis.module.js';

/** How long a sign-in started at the provider may come back. */
export const LOGIN_TTL_MS = 10 * 60_000;

/** What a callback needs from the login that started it. */
export interface PendingOidcLogin {
  codeVerifier: string;
  nonce: string;
  returnTo: string | null;
}

/**
 * Pending OIDC sign-ins by `state`, each usable once: in Redis with a TTL when REDIS_URL is set
 * (any API process may get the callback), else in this process's memory.
 */
@Injectable()
export class OidcStateStore {
  private readonly memory = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly config: AppConfig,
  ) {}

  async put(orgId: string, state: string, login: PendingOidcLogin): Promise<void> {
    const key = this.key(orgId, state);
    const value = JSON.stringify(login);
    if (this.redis) {
      await this.redis.set(key, value, 'PX', LOGIN_TTL_MS);
      return;
    }
    this.sweep();
    this.memory.set(key, { value, expiresAt: Date.now() + LOGIN_TTL_MS });
  }

  /** The pending login for this state, removed so the same state never completes twice. */
  async take(orgId: string, state: string): Promise<PendingOidcLogin | null> {
    const key = this.key(orgId, state);
    let value: string | null;
    if (this.redis) {
      value = await this.redis.getdel(key);
    } else {
      this.sweep();
      value = this.memory.get(key)?.value ?? null;
      this.memory.delete(key);
    }
    return value === null ? null : (JSON.parse(value) as PendingOidcLogin);
  }

  private key(orgId: string, state: string): string {
    return `${this.config.env.REDIS_PREFIX}:oidc:state:${orgId}:${state}`;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, item] of this.memory) if (item.expiresAt <= now) this.memory.delete(key);
  }
}
