import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentAuth, Roles, type AuthContext } from '../../../src/identity/auth-context.js';
import { SlackInstallationService } from './slack-installation.service.js';

/**
 * "Add to Slack" (OAuth v2). Both ends need the signed-in admin: the state is bound to them, and
 * the session cookie (SameSite=Lax) comes along on Slack's top-level redirect back.
 */
@ApiTags('slack')
@Roles('admin')
@Controller('integrations/slack/oauth')
export class SlackOAuthController {
  constructor(private readonly installations: SlackInstallationService) {}

  @Get('start')
  @ApiOperation({ summary: "Redirects to Slack's consent screen with a signed, single-use state (10 minutes)" })
  start(@CurrentAuth() auth: AuthContext, @Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, this.installations.startOAuth(auth));
  }

  @Get('callback')
  @ApiOperation({ summary: 'Redirect URI: checks the state, exchanges the code (oauth.v2.access), stores the installation, redirects to / with `slack=installed` or `slack=declined`' })
  async callback(@CurrentAuth() auth: AuthContext, @Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const result = await this.installations.completeOAuth(auth, query);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(
      303,
      'installed' in result ? `/?slack=installed&team=${encodeURIComponent(result.installed.teamId)}` : `/?slack=declined&reason=${encodeURIComponent(result.declined)}`,
    );
  }
}
