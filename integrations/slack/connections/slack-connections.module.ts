import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../../src/jobs/job-registry.js';
import { JobName } from '../../../src/jobs/job.types.js';

/** Placeholder: installations, channel links, admin API and mirroring to Slack. */
@Module({})
export class SlackConnectionsModule implements OnModuleInit {
  constructor(private readonly jobs: JobRegistry) {}

  onModuleInit(): void {
    this.jobs.register(JobName.SlackMirrorPost, async () => undefined);
  }
}
