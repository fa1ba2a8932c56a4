import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
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
 * BullMQ consumer for compliance work. Sweeps and exports are long: the lock is renewed while
 * they run, and a job whose worker died is picked up again (up to 3 stalls) by another worker;
 * both handlers are safe to restart.
 */
@Processor(QueueName.Compliance, { concurrency: 2, lockDuration: 60_000, stalledInterval: 15_000, maxStalledCount: 3 })
export class ComplianceQueueProcessor extends WorkerHost {
  constructor(private readonly registry: JobRegistry) {
    super();
  }

  async process(job: Job): Promise<void> {
    await this.registry.dispatch(job.name, job.data);
  }
}

/** Registers the repeatable jobs; BullMQ's job schedulers make this safe from several workers. */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(QueueName.Maintenance) private readonly maintenance: Queue,
    @InjectQueue(QueueName.Compliance) private readonly compliance: Queue,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const s of JOB_SCHEDULES) {
      const policy = JOB_POLICY[s.name];
      const queue = policy.queue === QueueName.Compliance ? this.compliance : this.maintenance;
      await queue.upsertJobScheduler(
        s.id,
        { every: s.everyMs },
        { name: s.name, data: s.data, opts: { attempts: policy.attempts, backoff: { type: 'exponential', delay: policy.backoffMs } } },
      );
    }
    this.log.info({ schedules: JOB_SCHEDULES.map((s) => s.id) }, 'job schedules registered');
  }
}
