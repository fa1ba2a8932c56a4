import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../../src/identity/auth-context.js';
import { SlackInboxService, type SlackAnswer } from './slack-inbox.service.js';
import type { SlackDeliveryKind } from './slack-inbox.repository.js';

/** Slack's Events API, slash commands and interactivity; signed by Slack, not by a Chorus session. */
@ApiExcludeController()
@Public()
@Controller('integrations/slack')
export class SlackInboundController {
  constructor(private readonly inbox: SlackInboxService) {}

  @Post('events')
  @HttpCode(200)
  events(@Req() req: Request, @Headers('x-slack-signature') signature?: string, @Headers('x-slack-request-timestamp') timestamp?: string): Promise<SlackAnswer> {
    return this.receive('event', req, signature, timestamp);
  }

  @Post('commands')
  @HttpCode(200)
  commands(@Req() req: Request, @Headers('x-slack-signature') signature?: string, @Headers('x-slack-request-timestamp') timestamp?: string): Promise<SlackAnswer> {
    return this.receive('command', req, signature, timestamp);
  }

  @Post('interactivity')
  @HttpCode(200)
  interactivity(@Req() req: Request, @Headers('x-slack-signature') signature?: string, @Headers('x-slack-request-timestamp') timestamp?: string): Promise<SlackAnswer> {
    return this.receive('interaction', req, signature, timestamp);
  }

  /** The body is the raw bytes (express.raw on /integrations), which the signature covers. */
  private receive(kind: SlackDeliveryKind, req: Request, signature?: string, timestamp?: string): Promise<SlackAnswer> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return this.inbox.receive(kind, raw, { signature, timestamp });
  }
}
