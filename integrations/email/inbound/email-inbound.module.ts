import { Module, OnModuleInit } from '@nestjs/common';
import { AttachmentsModule } from '../../../src/attachments/attachments.module.js';
import { GroupsModule } from '../../../src/groups/groups.module.js';
import { IdentityModule } from '../../../src/identity/identity.module.js';
import { JobRegistry } from '../../../src/jobs/job-registry.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { PostsModule } from '../../../src/posts/posts.module.js';
import { EmailOutboundModule } from '../outbound/email-outbound.module.js';
import { EmailAdminController } from './email-admin.controller.js';
import { EmailAuthenticator } from './email-authenticator.js';
import { EmailInboundProcessor } from './email-inbound.processor.js';
import { EmailAddressRepository, EmailInboundRepository } from './email-inbound.repository.js';
import { EmailIntake } from './email-intake.service.js';
import { EmailRateLimits } from './email-rate-limits.js';
import { EmailRecipients } from './email-recipients.service.js';
import { EmailRequeueService } from './email-requeue.service.js';
import { EmailSmtpListener } from './email-smtp-listener.js';
import { EmailWebhookController } from './email-webhook.controller.js';
import { EmailWebhookService } from './email-webhook.service.js';
import { GroupEmailAddressController } from './group-email-address.controller.js';
import { GroupEmailAddressService } from './group-email-address.service.js';

/**
 * Into Chorus by email: the SMTP listener (started only by `npm run start:mail`) and the provider
 * webhook both hand messages to EmailIntake, which checks the sender and stores the raw message;
 * the EmailProcessInbound job posts it. Group posting addresses and their secret variant are
 * managed here too.
 */
@Module({
  imports: [EmailOutboundModule, PostsModule, GroupsModule, IdentityModule, AttachmentsModule],
  controllers: [EmailWebhookController, GroupEmailAddressController, EmailAdminController],
  providers: [
    EmailInboundRepository,
    EmailAddressRepository,
    EmailRecipients,
    EmailAuthenticator,
    EmailRateLimits,
    EmailIntake,
    EmailSmtpListener,
    EmailInboundProcessor,
    EmailWebhookService,
    EmailRequeueService,
    GroupEmailAddressService,
  ],
  exports: [EmailSmtpListener, EmailAuthenticator],
})
export class EmailInboundModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobRegistry,
    private readonly processor: EmailInboundProcessor,
    private readonly requeue: EmailRequeueService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(JobName.EmailProcessInbound, (data) => this.processor.handle(data));
    this.jobs.register(JobName.EmailRequeue, async () => {
      await this.requeue.run();
    });
  }
}
