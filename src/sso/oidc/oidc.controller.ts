import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '../../config/app-config.js';
import { Public, requestActor, type AuthedRequest } from '../../identity/auth-context.js';
import { setSessionCookies } from '../../identity/session-cookies.js';
import { OidcLoginService } from './oidc-login.service.js';
import { LOGIN_TTL_MS } from './oidc-state.store.js';

/** Binds a sign-in to the browser that started it (login CSRF). */
export const OIDC_STATE_COOKIE = 'chorus_oidc_state';

/** The browser-facing OIDC endpoints of one org, known only by its slug. */
@ApiTags('sso')
@Controller('auth/oidc/:org')
@Public()
export class OidcController {
  constructor(
    private readonly oidc: OidcLoginService,
    private readonly config: AppConfig,
  ) {}

  @Get('login')
  @ApiOperation({ summary: 'Starts OIDC sign-in (code + PKCE): redirects to the provider; `returnTo` must be a path on this site' })
  async login(@Param('org') org: string, @Query('returnTo') returnTo: unknown, @Res() res: Response): Promise<void> {
    const start = await this.oidc.start(org, returnTo);
    res.cookie(OIDC_STATE_COOKIE, start.state, { ...this.stateCookie(org), maxAge: LOGIN_TTL_MS });
    res.redirect(302, start.authorizationUrl);
  }

  @Get('callback')
  @ApiOperation({ summary: 'Redirect URI: exchanges the code, signs in and redirects to returnTo or /' })
  async callback(@Param('org') org: string, @Req() req: AuthedRequest, @Res() res: Response): Promise<void> {
    const cookies = (req as { cookies?: Record<string, unknown> }).cookies ?? {};
    const browserState = typeof cookies[OIDC_STATE_COOKIE] === 'string' ? (cookies[OIDC_STATE_COOKIE] as string) : null;
    res.clearCookie(OIDC_STATE_COOKIE, this.stateCookie(org));
    const result = await this.oidc.callback(org, req.query as Record<string, unknown>, browserState, {
      ip: req.ip ?? 'unknown',
      userAgent: req.headers['user-agent'] ?? null,
      actor: requestActor(req, null, null),
    });
    setSessionCookies(res, this.config.cookieSecure, result.session);
    res.redirect(303, result.redirectTo);
  }

  private stateCookie(org: string) {
    return { httpOnly: true, secure: this.config.cookieSecure, sameSite: 'lax' as const, path: `/auth/oidc/${encodeURIComponent(org)}/` };
  }
}
