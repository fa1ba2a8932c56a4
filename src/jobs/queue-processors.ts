import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job, type Queue } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.module.js';
import { JobRegistry } from './job-registry.js';
import { JOB_POLICY, JOB_SCHEDULES, QueueName } from './job.types.js';

/** BullMQ consumer for the maintenance queue: hands each job to its registered handler. */
@Processor(QueueName.Maintenance, { concurrency: 4 })
export class MaintenanceQueueProcessor extends WorkerHost {
  constructor(private readonly registry: JobRegistry) {
    super();
  }

  async process(job: Job): Promise<void> {
    await this.registry.dispatch(job.name, job.data);
  }
}

/**
 * BullMQ consumer for compliance work, made here rather than with @Processor so its lock comes
 * from COMPLIANCE_JOB_LOCK_SECONDS. Sweeps and exports are long: the lock is renewed every half
 * of it while the worker lives; when a worker dies its job stalls and another worker takes it
 * over within about one and a half locks (up to 3 times). Both handlers are safe to restart.
 */
@Injectable()
export class ComplianceQueueWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker: Worker | null = null;

  constructor(
    @InjectQueue(QueueName.Compliance) private readonly queue: Queue,
    private readonly registry: JobRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const lockMs = this.config.env.COMPLIANCE_JOB_LOCK_SECONDS * 1000;
    this.worker = new Worker(QueueName.Compliance, (job: Job) => this.registry.dispatch(job.name, job.data), {
      connection: this.queue.opts.connection,
      prefix: this.queue.opts.prefix,
      concurrency: 2,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, lockMs / 4),
      maxStalledCount: 3,
    });
    this.worker.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}

/** Registers the repeatable jobs; BullMQ's job schedulers make this safe from several workers. */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @InjectQueue(QueueName.Compliance) private readonly compliance: Queue,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const s of JOB_SCHEDULES) {
      const policy = JOB_POLICY[s.name];
      const queue = policy.queue === QueueName.Compliance ? this.compliance : this.maintenance;
      const [hh, mm] = 'dailyAt' in s ? this.config.env[s.dailyAt].split(':') : [];
      await queue.upsertJobScheduler(
        s.id,
        'everyMs' in s ? { every: s.everyMs } : { pattern: `${Number(mm)} ${Number(hh)} * * *`, tz: 'UTC' },
        { name: s.name, data: s.data, opts: { attempts: policy.attempts, backoff: { type: 'exponential', delay: policy.backoffMs } } },
      );
    }
    this.log.info({ schedules: JOB_SCHEDULES.map((s) => s.id) }, 'job schedules registered');
  }
}
