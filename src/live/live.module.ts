import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { LOGGER } from '../common/logger.module.js';
import { GroupsModule } from '../groups/groups.module.js';
import { REDIS } from '../redis/redis.module.js';
import { InMemoryLiveEventBus, LiveEventBus } from './live-event-bus.js';
import { LiveEventsController } from './live-events.controller.js';
import { RedisLiveEventBus } from './redis-live-event-bus.js';

@Module({
  imports: [GroupsModule],
  controllers: [LiveEventsController],
  providers: [
    {
      provide: LiveEventBus,
      inject: [REDIS, AppConfig, LOGGER],
      useFactory: (redis: Redis | null, config: AppConfig, log: Logger) =>
        redis ? new RedisLiveEventBus(redis, config.env.REDIS_PREFIX, log) : new InMemoryLiveEventBus(),
    },
  ],
  exports: [LiveEventBus],
})
export class LiveModule implements OnApplicationShutdown {
  constructor(@Inject(LiveEventBus) private readonly bus: LiveEventBus) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.bus instanceof RedisLiveEventBus) await this.bus.close();
  }
}
