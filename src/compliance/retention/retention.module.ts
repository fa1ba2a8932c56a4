import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../jobs/job-registry.js';
import { JobName } from '../../jobs/job.types.js';

/** Placeholder: retention and holds are being built. */
@Module({})
export class RetentionModule implements OnModuleInit {
  constructor(private readonly jobs: JobRegistry) {}

  onModuleInit(): void {
    this.jobs.register(JobName.ScheduleRetentionSweeps, async () => undefined);
    this.jobs.register(JobName.RetentionSweep, async () => undefined);
  }
}
