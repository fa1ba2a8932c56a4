import { Module, OnModuleInit } from '@nestjs/common';
import { JobRegistry } from '../../../src/jobs/job-registry.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { PostCreatedHooks } from '../../../src/posts/post-created-hooks.js';
import { PostsModule } from '../../../src/posts/posts.module.js';
import { EmailReplyTokenRepository } from '../email-reply-token.repository.js';
import { EmailDigestRepository } from './email-digest.repository.js';
import { EmailDigestService } from './email-digest.service.js';
import { EmailNotifyRepository } from './email-notify.repository.js';
import { EmailNotifyService } from './email-notify.service.js';
import { EmailOutboxRepository } from './email-outbox.repository.js';
import { EmailOutboxService } from './email-outbox.service.js';
import { EmailPreferenceRepository } from './email-preference.repository.js';
import { EmailPreferencesController } from './email-preferences.controller.js';
import { EmailPreferencesService } from './email-preferences.service.js';
import { EmailTransport } from './email-transport.js';
import { EmailUnsubscribeController } from './email-unsubscribe.controller.js';
import { UnsubscribeTokens } from './email-unsubscribe-token.js';

/**
 * Outbound email: notification (mention, reply), daily digest and bounce emails, written to the
 * email_outbox and sent through SMTP_URL by EmailSend jobs; per-user preferences and one-click
 * unsubscribe. Gives the inbound side EmailOutboxService (bounces, housekeeping) and
 * EmailReplyTokenRepository.
 */
@Module({
  imports: [PostsModule],
  controllers: [EmailUnsubscribeController, EmailPreferencesController],
  providers: [
    EmailOutboxRepository,
    EmailPreferenceRepository,
    EmailNotifyRepository,
    EmailDigestRepository,
    EmailReplyTokenRepository,
    EmailTransport,
    UnsubscribeTokens,
    EmailOutboxService,
    EmailNotifyService,
    EmailDigestService,
    EmailPreferencesService,
  ],
  exports: [EmailOutboxService, EmailReplyTokenRepository],
})
export class EmailOutboundModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobRegistry,
    private readonly postHooks: PostCreatedHooks,
    private readonly outbox: EmailOutboxService,
    private readonly notify: EmailNotifyService,
    private readonly digests: EmailDigestService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(JobName.EmailNotify, (data) => this.notify.notifyPost(data.orgId, data.postId));
    this.jobs.register(JobName.EmailSend, (data) => this.outbox.send(data));
    this.jobs.register(JobName.ScheduleEmailDigests, () => this.digests.scheduleAll());
    this.jobs.register(JobName.EmailDigest, (data) => this.digests.run(data));
    this.postHooks.register('email-notify', { run: (auth, post) => this.notify.onPostCreated(auth, post) });
  }
}
