import { Module, OnModuleInit } from '@nestjs/common';
import { GroupsModule } from '../../../src/groups/groups.module.js';
import { IdentityModule } from '../../../src/identity/identity.module.js';
import { JobRegistry } from '../../../src/jobs/job-registry.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { PostsModule } from '../../../src/posts/posts.module.js';
import { SlackConnectionsModule } from '../connections/slack-connections.module.js';
import { SlackAuthors } from './slack-authors.service.js';
import { SlackBoltApp } from './slack-bolt-app.js';
import { SlackInboundController } from './slack-inbound.controller.js';
import { SlackInboundService } from './slack-inbound.service.js';
import { SlackInboxProcessor } from './slack-inbox.processor.js';
import { SlackInboxRepository } from './slack-inbox.repository.js';
import { SlackInboxService } from './slack-inbox.service.js';
import { SlackInboundMessageRepository } from './slack-inbound-message.repository.js';
import { SlackUserRepository } from './slack-user.repository.js';

/**
 * From Slack into Chorus: events, slash commands and interactivity are verified and stored in the
 * inbox by the controller, then turned into posts, replies, edits, deletes and channel links by
 * the SlackProcessInbox job through an embedded Bolt app. Installations and links come from
 * SlackConnectionsModule (SlackInstallations, SlackLinks).
 */
@Module({
  imports: [SlackConnectionsModule, PostsModule, GroupsModule, IdentityModule],
  controllers: [SlackInboundController],
  providers: [
    SlackInboxRepository,
    SlackInboundMessageRepository,
    SlackUserRepository,
    SlackInboxService,
    SlackAuthors,
    SlackInboundService,
    SlackBoltApp,
    SlackInboxProcessor,
  ],
})
export class SlackInboundModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobRegistry,
    private readonly processor: SlackInboxProcessor,
  ) {}

  onModuleInit(): void {
    this.jobs.register(JobName.SlackProcessInbox, (data) => this.processor.handle(data));
    this.jobs.register(JobName.SlackRequeueInbox, async () => {
      await this.processor.requeueStale();
    });
  }
}
