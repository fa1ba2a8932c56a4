import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../../src/jobs/job-registry.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { SlackConnectionsModule } from '../connections/slack-connections.module.js';

/** Placeholder: events, commands and interactivity from Slack. */
@Module({ imports: [SlackConnectionsModule] })
export class SlackInboundModule implements OnModuleInit {
  constructor(private readonly jobs: JobRegistry) {}

  onModuleInit(): void {
    this.jobs.register(JobName.SlackProcessInbox, async () => undefined);
  }
}
