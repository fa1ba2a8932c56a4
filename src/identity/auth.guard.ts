import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, forbidden } from '../common/domain-error.js';
import { AuthService } from './auth.service.js';
import { IS_PUBLIC, ROLES, type AuthedRequest, type UserRole } from './auth-context.js';
import { csrfTokenFor, safeEqual } from './secrets.js';

export const SESSION_COOKIE = 'chorus_session';
export const CSRF_COOKIE = 'chorus_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard: a bearer token or the session cookie identifies the user. Cookie-authenticated
 * writes must echo the CSRF token in X-CSRF-Token (a cross-site form cannot read or set it);
 * bearer requests carry no ambient credential and need none.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const base = { ip: req.ip ?? null, requestId: req.id !== undefined ? String(req.id) : null };

    const header = req.headers.authorization;
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (header !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header);
      if (!match) throw new DomainError(401, 'unauthenticated', 'The Authorization header must be "Bearer <token>"');
      req.auth = await this.auth.authenticate({ kind: 'token', secret: match[1] }, base);
    } else if (cookie) {
      req.auth = await this.auth.authenticate({ kind: 'session', secret: cookie }, base);
      if (!SAFE_METHODS.has(req.method)) {
        const sent = req.headers[CSRF_HEADER];
        if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(cookie))) {
          throw new DomainError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token header for a cookie-authenticated request');
        }
      }
    } else {
      throw new DomainError(401, 'unauthenticated', 'Sign in, or send a valid API token');
    }

    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(req.auth.role)) throw forbidden(`This needs the ${roles.join(' or ')} role`);
    return true;
  }
}
