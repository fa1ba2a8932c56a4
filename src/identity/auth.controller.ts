import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { AuthService } from './auth.service.js';
import { CurrentAuth, Public, requestActor, type AuthContext, type AuthedRequest } from './auth-context.js';
import { CSRF_COOKIE, SESSION_COOKIE } from './auth.guard.js';
import { ChangePasswordDto, LoginDto } from './dto/identity.dto.js';
import { csrfTokenFor } from './secrets.js';
import { setSessionCookies } from './session-cookies.js';

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Local password sign-in; sets the session cookie and returns the CSRF token' })
  async login(@Body() body: LoginDto, @Req() req: AuthedRequest, @Res({ passthrough: true }) res: Response) {
    const result = await this.auth.login(body.org, body.email, body.password, {
      ip: req.ip ?? 'unknown',
      userAgent: req.headers['user-agent'] ?? null,
      actor: requestActor(req, null, null),
    });
    setSessionCookies(res, this.config.cookieSecure, result);
    return { user: result.user, org: result.org, csrfToken: result.csrfToken, expiresAt: result.expiresAt };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Ends the current session' })
  async logout(@CurrentAuth() auth: AuthContext, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(auth);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user, their org and (for cookie sessions) the CSRF token' })
  async me(@CurrentAuth() auth: AuthContext, @Req() req: AuthedRequest) {
    const { user, org } = await this.auth.me(auth);
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    return {
      user,
      org,
      authMethod: auth.method,
      csrfToken: auth.method === 'session' && cookie ? csrfTokenFor(cookie) : null,
    };
  }

  @Post('me/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change my local password; my other sessions end' })
  async changePassword(@CurrentAuth() auth: AuthContext, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(auth, body.currentPassword, body.newPassword);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'My live sessions' })
  async sessions(@CurrentAuth() auth: AuthContext) {
    return { items: await this.auth.listSessions(auth), nextCursor: null };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of my sessions (sign out elsewhere)' })
  async revokeSession(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.auth.revokeSession(auth, id);
  }
}
