import { Inject, Injectable } from '@nestjs/common';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { REDIS } from '../../redis/redis.module.js';

/** How long an AuthnRequest we issued may be answered. */
export const REQUEST_TTL_MS = 10 * 60_000;

/**
 * Short-lived SAML state shared by every API process: the AuthnRequest ids we issued (so
 * InResponseTo can be checked) and the assertion ids already used (so none is accepted twice).
 * In Redis with a TTL when REDIS_URL is set; in this process's memory in single-node mode.
 */
@Injectable()
export class SamlStateStore {
  private readonly memory = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly config: AppConfig,
  ) {}

  /** node-saml's request-id cache, scoped to one org so a request issued for org A never validates at org B. */
  requestIds(orgId: string): CacheProvider {
    const key = (id: string) => this.key(`req:${orgId}:${id}`);
    return {
      saveAsync: async (id: string, value: string): Promise<CacheItem | null> => {
        await this.set(key(id), value, REQUEST_TTL_MS, false);
        return { value, createdAt: Date.now() };
      },
      getAsync: (id: string) => this.get(key(id)),
      removeAsync: async (id: string | null) => (id === null ? null : this.take(key(id))),
    };
  }

  /** Records a used assertion id until it expires anyway; false if it was already used (a replay). */
  async firstUseOfAssertion(orgId: string, assertionId: string, untilMs: number): Promise<boolean> {
    return this.set(this.key(`assertion:${orgId}:${assertionId}`), '1', Math.max(untilMs - Date.now(), 1000), true);
  }

  private key(suffix: string): string {
    return `${this.config.env.REDIS_PREFIX}:saml:${suffix}`;
  }

  private async set(key: string, value: string, ttlMs: number, onlyIfNew: boolean): Promise<boolean> {
    if (this.redis) {
      const ttl = Math.ceil(ttlMs);
      const ok = onlyIfNew ? await this.redis.set(key, value, 'PX', ttl, 'NX') : await this.redis.set(key, value, 'PX', ttl);
      return ok === 'OK';
    }
    this.sweep();
    if (onlyIfNew && this.memory.has(key)) return false;
    this.memory.set(key, { value, expiresAt: Date.now() + ttlMs });
    return true;
  }

  private async get(key: string): Promise<string | null> {
    if (this.redis) return this.redis.get(key);
    this.sweep();
    return this.memory.get(key)?.value ?? null;
  }

  private async take(key: string): Promise<string | null> {
    if (this.redis) return this.redis.getdel(key);
    this.sweep();
    const item = this.memory.get(key);
    this.memory.delete(key);
    return item?.value ?? null;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, item] of this.memory) if (item.expiresAt <= now) this.memory.delete(key);
  }
}
