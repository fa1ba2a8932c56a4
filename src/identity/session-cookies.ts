import type { Response } from 'express';
import { CSRF_COOKIE, SESSION_COOKIE } from './auth.guard.js';

/** The same two cookies for every way of signing in (password, SAML). */
export function setSessionCookies(res: Response, secure: boolean, session: { sessionToken: string; csrfToken: string; expiresAt: Date }): void {
  const cookie = { secure, sameSite: 'lax' as const, path: '/', expires: session.expiresAt };
  res.cookie(SESSION_COOKIE, session.sessionToken, { ...cookie, httpOnly: true });
  res.cookie(CSRF_COOKIE, session.csrfToken, { ...cookie, httpOnly: false });
}
