import type { JobData, JobName } from './job.types.js';

/** Where services put background work; BullMQ on Redis, or in-process in single-node mode. */
export abstract class JobQueue {
  abstract enqueue<N extends JobName>(name: N, data: JobData[N]): Promise<void>;
}
