import { Module } from '@nestjs/common';

/** Outbound email (being built): notification, digest and bounce emails through an outbox and SMTP_URL. */
@Module({})
export class EmailOutboundModule {}
