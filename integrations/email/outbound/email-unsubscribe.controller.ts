import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../../src/identity/auth-context.js';
import { escapeHtml } from './email-content.js';
import { EmailPreferencesService } from './email-preferences.service.js';
import type { UnsubscribeKind } from './email-unsubscribe-token.js';

const WHAT: Record<UnsubscribeKind, string> = {
  mentions: 'emails when someone mentions you',
  replies: 'emails when someone replies to your posts',
  digest: 'the daily digest email',
  all: 'all Chorus emails',
};

/** No script, style or frame: the page is a sentence and a button posting back to itself. */
const PAGE_CSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The List-Unsubscribe target (RFC 8058). Public: the signed token is the authority, so there is
 * no session and no CSRF token (a forged POST can only unsubscribe the token's own user). GET only
 * shows a button, because mail scanners follow links; POST (a client's one-click, body
 * `List-Unsubscribe=One-Click`, or the button) turns the email off.
 */
@ApiTags('email')
@Controller('email/unsubscribe')
@Public()
export class EmailUnsubscribeController {
  constructor(private readonly prefs: EmailPreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'The unsubscribe page of an email (changes nothing)' })
  @ApiQuery({ name: 'token', required: true })
  show(@Query('token') token: unknown, @Res() res: Response): void {
    const kind = this.prefs.check(token);
    const action = `/email/unsubscribe?token=${encodeURIComponent(String(token))}`;
    html(
      res,
      `<h1>Unsubscribe</h1>\n<p>Stop ${WHAT[kind]}?</p>\n` +
        `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>\n`,
    );
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'One-click unsubscribe (RFC 8058): turns that kind of email off' })
  @ApiQuery({ name: 'token', required: true })
  async unsubscribe(@Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const kind = await this.prefs.unsubscribe(token);
    if (req.accepts(['text/plain', 'text/html']) === 'text/html') {
      html(res, `<h1>Unsubscribed</h1>\n<p>You will no longer get ${WHAT[kind]}. You can turn them back on in your Chorus email preferences.</p>\n`);
    } else {
      res.status(200).type('text/plain').set('Cache-Control', 'no-store').send(`Unsubscribed from ${WHAT[kind]}.\n`);
    }
  }
}

function html(res: Response, body: string): void {
  res
    .status(200)
    .type('text/html; charset=utf-8')
    .set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
    .send(`<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Chorus email</title></head><body>\n${body}</body></html>\n`);
}
