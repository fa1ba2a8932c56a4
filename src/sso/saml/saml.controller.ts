import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { Public, requestActor, type AuthContext, type AuthedRequest } from '../../identity/auth-context.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../identity/auth.guard.js';
import { AuthService } from '../../identity/auth.service.js';
import { setSessionCookies } from '../../identity/session-cookies.js';
import { SamlLoginService } from './saml-login.service.js';

/** The browser-facing SAML endpoints of one org, known only by its slug. */
@ApiTags('sso')
@Controller('auth/saml/:org')
@Public()
export class SamlController {
  constructor(
    private readonly saml: SamlLoginService,
    private readonly config: AppConfig,
    private readonly auth: AuthService,
  ) {}

  @Get('login')
  @ApiOperation({ summary: 'SP-initiated sign-in: redirects to the IdP with an AuthnRequest; `RelayState` must be a path on this site' })
  async login(@Param('org') org: string, @Query('RelayState') relayState: unknown, @Res() res: Response): Promise<void> {
    res.redirect(302, await this.saml.loginRedirect(org, relayState));
  }

  @Post('acs')
  @ApiOperation({ summary: 'Assertion consumer service (HTTP-POST binding): signs in and redirects to RelayState or /' })
  async acs(@Param('org') org: string, @Req() req: AuthedRequest, @Res() res: Response): Promise<void> {
    const form = await readForm(req, this.config.env.BODY_LIMIT_BYTES);
    const result = await this.saml.acs(org, form, {
      ip: req.ip ?? 'unknown',
      userAgent: req.headers['user-agent'] ?? null,
      actor: requestActor(req, null, null),
    });
    setSessionCookies(res, this.config.cookieSecure, result.session);
    res.redirect(303, result.redirectTo);
  }

  @Get('logout')
  @ApiOperation({ summary: 'SP-initiated single logout: ends the session, then 302 to the IdP with a LogoutRequest (SAML sessions, IdP SLO URL configured) or 303 to /' })
  async logout(@Param('org') org: string, @Req() req: AuthedRequest, @Res() res: Response): Promise<void> {
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    let session: AuthContext | null = null;
    if (cookie) {
      const base = { ip: req.ip ?? null, requestId: req.id !== undefined ? String(req.id) : null };
      session = await this.auth.authenticate({ kind: 'session', secret: cookie }, base).catch((error: unknown) => {
        if (error instanceof DomainError) return null;
        throw error;
      });
    }
    const location = await this.saml.logoutRedirect(org, session);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
    if (location) res.redirect(302, location);
    else res.redirect(303, '/');
  }

  @Get('slo')
  @ApiOperation({ summary: 'Single logout service, HTTP-Redirect binding: a signed LogoutRequest from the IdP, or its LogoutResponse' })
  async sloRedirect(@Param('org') org: string, @Req() req: AuthedRequest, @Res() res: Response): Promise<void> {
    const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const result = await this.saml.slo(org, { binding: 'redirect', rawQuery }, requestActor(req, null, null));
    res.redirect(result.status, result.location);
  }

  @Post('slo')
  @ApiOperation({ summary: 'Single logout service, HTTP-POST binding: a signed LogoutRequest from the IdP, or its LogoutResponse' })
  async sloPost(@Param('org') org: string, @Req() req: AuthedRequest, @Res() res: Response): Promise<void> {
    const form = await readForm(req, this.config.env.BODY_LIMIT_BYTES);
    const result = await this.saml.slo(org, { binding: 'post', form }, requestActor(req, null, null));
    res.redirect(result.status, result.location);
  }

  @Get('metadata')
  @ApiOperation({ summary: 'SAML service provider metadata for this organisation' })
  async metadata(@Param('org') org: string, @Res() res: Response): Promise<void> {
    res.type('application/samlmetadata+xml').send(await this.saml.metadata(org));
  }
}

/**
 * IdPs post an HTML form. Only this route reads url-encoded bodies: enabling them app-wide
 * would let cross-site forms reach the JSON endpoints (e.g. a login CSRF).
 */
async function readForm(req: Request, limit: number): Promise<Record<string, string>> {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new DomainError(415, 'unsupported_media_type', 'Post the SAML message as application/x-www-form-urlencoded');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new DomainError(413, 'payload_too_large', 'The request body is larger than the server accepts');
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
