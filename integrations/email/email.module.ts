import { Module } from '@nestjs/common';
import { EmailInboundModule } from './inbound/email-inbound.module.js';
import { EmailOutboundModule } from './outbound/email-outbound.module.js';

/**
 * The email bridge (issue 7): people post to a group by mailing its address and reply by
 * answering a notification (inbound: SMTP listener and provider webhook), and get notification
 * and digest emails (outbound: an outbox sent through SMTP_URL by jobs).
 */
@Module({ imports: [EmailOutboundModule, EmailInboundModule], exports: [EmailInboundModule] })
export class EmailModule {}
