import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../jobs/job-registry.js';
import { JobName } from '../../jobs/job.types.js';

/** Placeholder: exports are being built. */
@Module({})
export class ExportsModule implements OnModuleInit {
  constructor(private readonly jobs: JobRegistry) {}

  onModuleInit(): void {
    this.jobs.register(JobName.RunExport, async () => undefined);
    this.jobs.register(JobName.ScheduleExportExpiry, async () => undefined);
    this.jobs.register(JobName.ExpireExports, async () => undefined);
  }
}
