import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JobName, type JobData, type JobHandler } from './job.types.js';

/** Each domain registers its handlers on init; at boot every JobName must have exactly one. */
@Injectable()
export class JobRegistry implements OnApplicationBootstrap {
  private readonly handlers = new Map<JobName, JobHandler<JobName>>();

  register<N extends JobName>(name: N, handler: JobHandler<N>): void {
    if (this.handlers.has(name)) throw new Error(`Job ${name} has two handlers`);
    this.handlers.set(name, handler as JobHandler<JobName>);
  }

  onApplicationBootstrap(): void {
    const missing = Object.values(JobName).filter((n) => !this.handlers.has(n));
    if (missing.length > 0) throw new Error(`Jobs without a handler: ${missing.join(', ')}`);
  }

  async dispatch(name: string, data: unknown): Promise<void> {
    const handler = this.handlers.get(name as JobName);
    if (!handler) throw new Error(`Unknown job ${name}`);
    await handler(data as JobData[JobName]);
  }
}
