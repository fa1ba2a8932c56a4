import { Controller, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../../src/identity/auth-context.js';
import { EmailWebhookService, type WebhookAnswer } from './email-webhook.service.js';

/** A mail provider's inbound-parse webhook; authenticated by the shared secret, not a Chorus session. */
@ApiExcludeController()
@Public()
@Controller('integrations/email')
export class EmailWebhookController {
  constructor(private readonly webhook: EmailWebhookService) {}

  /** The body is the raw bytes (express.raw on /integrations/email/inbound). */
  /** `/inbound/mime`: the same, for Mailgun, which sends the raw MIME (`body-mime`) to forward URLs ending in "mime". */
  @Post(['inbound', 'inbound/mime'])
  @HttpCode(200)
  async inbound(
    @Req() req: Request,
    @Query() query: Record<string, unknown>,
    @Headers('authorization') authorization?: string,
    @Headers('content-type') contentType?: string,
  ): Promise<WebhookAnswer> {
    this.webhook.authenticate(authorization);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return this.webhook.receive(await this.webhook.parse(body, contentType, query));
  }
}
