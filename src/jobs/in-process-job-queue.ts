import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { JobQueue } from './job-queue.js';
import { JobRegistry } from './job-registry.js';
import { JOB_POLICY, JOB_SCHEDULES, msUntilUtc, type JobData, type JobName } from './job.types.js';
import { AppConfig } from '../config/app-config.js';
import { LOGGER } from '../common/logger.module.js';

/** Single-node mode (no REDIS_URL): the same handlers, run in this process with retries. */
@Injectable()
export class InProcessJobQueue extends JobQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly running = new Set<Promise<void>>();
  private readonly pendingKeys = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;

  constructor(
    private readonly registry: JobRegistry,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.log.info('single-node mode: background jobs run in-process (set REDIS_URL to use BullMQ workers)');
    for (const schedule of JOB_SCHEDULES) {
      const fire = () => void this.enqueue(schedule.name, schedule.data as never).catch(() => undefined);
      const every = (ms: number) => {
        const timer = setInterval(fire, ms);
        timer.unref();
        this.timers.push(timer);
      };
      if ('everyMs' in schedule) {
        every(schedule.everyMs);
      } else {
        const first = setTimeout(() => {
          fire();
          every(24 * 60 * 60 * 1000);
        }, msUntilUtc(this.config.env[schedule.dailyAt]));
        first.unref();
        this.timers.push(first);
      }
    }
  }

  async enqueue<N extends JobName>(name: N, data: JobData[N]): Promise<void> {
    if (this.stopping) throw new Error('Job queue is shutting down');
    const key = JOB_POLICY[name].dedupeKey?.(data);
    if (key !== undefined) {
      if (this.pendingKeys.has(key)) return;
      this.pendingKeys.add(key);
    }
    const run = this.runWithRetries(name, data).finally(() => {
      if (key !== undefined) this.pendingKeys.delete(key);
      this.running.delete(run);
    });
    this.running.add(run);
  }

  /** Resolves once every job enqueued so far (and any it enqueued) has finished. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    await this.drain();
  }

  private async runWithRetries<N extends JobName>(name: N, data: JobData[N]): Promise<void> {
    const { attempts, backoffMs } = JOB_POLICY[name];
    await Promise.resolve();
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.registry.dispatch(name, data);
        return;
      } catch (err) {
        this.log.warn({ err, job: name, attempt }, 'job failed');
        if (attempt === attempts || this.stopping) return;
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)).unref());
      }
    }
  }
}
