import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.module.js';

export const REDIS = Symbol('REDIS');

/** ioredis options from a redis:// or rediss:// URL, shared by BullMQ and our own client. */
export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}
  async onApplicationShutdown() {
    if (!this.redis) return;
    // quit() waits for a connection that may never come back; disconnect() does not.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    else this.redis.disconnect();
  }
}

/** One shared client (rate limits, readiness), or null in single-node mode. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string | undefined): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        {
          provide: REDIS,
          inject: [LOGGER],
          useFactory: (log: Logger) => {
            if (!url) return null;
            const client = new Redis({ ...redisOptions(url), lazyConnect: false });
            // Without a listener ioredis prints every reconnect failure; readiness reports the outage.
            client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
            return client;
          },
        },
        RedisCloser,
      ],
      exports: [REDIS],
    };
  }
}
