import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '../common/actor.js';

export type UserRole = 'member' | 'admin' | 'compliance';
export const USER_ROLES: UserRole[] = ['member', 'admin', 'compliance'];

/** Who the request is from, resolved by AuthGuard from the session cookie or a bearer token. */
export interface AuthContext {
  orgId: string;
  userId: string;
  role: UserRole;
  method: 'session' | 'token';
  sessionId: string | null;
  tokenId: string | null;
  actor: Actor;
}

export interface AuthedRequest extends Request {
  auth?: AuthContext;
}

/** A bridge (Slack, email) acting as one of the org's users, as if they had used an API token. */
export function bridgeAuth(orgId: string, user: { id: string; role: UserRole }, requestId: string): AuthContext {
  return {
    orgId,
    userId: user.id,
    role: user.role,
    method: 'token',
    sessionId: null,
    tokenId: null,
    actor: { type: 'user', userId: user.id, role: user.role, ip: null, requestId },
  };
}

export const IS_PUBLIC = 'chorus:public';
export const ROLES = 'chorus:roles';

/** The route needs no signed-in user. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToHttp().getRequest<AuthedRequest>().auth;
  if (!auth) throw new Error('CurrentAuth used on a public route');
  return auth;
});

export function requestActor(req: AuthedRequest, userId: string | null, role: UserRole | null): Actor {
  return {
    type: userId ? 'user' : 'system',
    userId,
    role,
    ip: req.ip ?? null,
    requestId: req.id !== undefined ? String(req.id) : null,
  };
}
