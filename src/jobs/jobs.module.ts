import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { BullJobQueue } from './bull-job-queue.js';
import { InProcessJobQueue } from './in-process-job-queue.js';
import { JobQueue } from './job-queue.js';
import { JobRegistry } from './job-registry.js';
import { QueueName } from './job.types.js';
import { ComplianceQueueWorker, JobSchedules, MaintenanceQueueProcessor } from './queue-processors.js';

export type ProcessRole = 'api' | 'worker' | 'cli' | 'mail';

/**
 * With REDIS_URL: producers everywhere, BullMQ consumers and schedules only in the worker.
 * Without: the API process runs the same handlers in-process (single-node mode).
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(redisUrl: string | undefined, prefix: string, role: ProcessRole): DynamicModule {
    if (redisUrl === undefined) {
      const providers: Provider[] = [JobRegistry, InProcessJobQueue, { provide: JobQueue, useExisting: InProcessJobQueue }];
      return { module: JobsModule, providers, exports: [JobQueue, JobRegistry, InProcessJobQueue] };
    }
    const consumers: Provider[] = role === 'worker' ? [MaintenanceQueueProcessor, ComplianceQueueWorker, JobSchedules] : [];
    return {
      module: JobsModule,
      imports: [
        BullModule.forRoot({ connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix }),
        BullModule.registerQueue({ name: QueueName.Maintenance }, { name: QueueName.Compliance }),
      ],
      providers: [JobRegistry, BullJobQueue, { provide: JobQueue, useExisting: BullJobQueue }, ...consumers],
      exports: [JobQueue, JobRegistry],
    };
  }
}
