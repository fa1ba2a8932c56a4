import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobQueue } from './job-queue.js';
import { JOB_POLICY, QueueName, type JobData, type JobName } from './job.types.js';

@Injectable()
export class BullJobQueue extends JobQueue {
  private readonly queues: Record<QueueName, Queue>;

  constructor(@InjectQueue(QueueName.Maintenance) maintenance: Queue, @InjectQueue(QueueName.Compliance) compliance: Queue) {
    super();
    this.queues = { [QueueName.Maintenance]: maintenance, [QueueName.Compliance]: compliance };
  }

  async enqueue<N extends JobName>(name: N, data: JobData[N]): Promise<void> {
    const policy = JOB_POLICY[name];
    const key = policy.dedupeKey?.(data);
    await this.queues[policy.queue].add(name, data, {
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
      ...(key ? { deduplication: { id: key } } : {}),
    });
  }
}
