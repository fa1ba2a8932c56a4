import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Actor } from '../../common/actor.js';
import { ScimError } from './scim-error.js';
import { SCIM_CONTENT_TYPE } from './scim-schemas.js';
import { ScimTokenService } from './scim-token.service.js';

/** Who a SCIM request is from: the org of its token, acting as the identity provider. */
export interface ScimContext {
  orgId: string;
  tokenId: string;
  actor: Actor;
}

export interface ScimRequest extends Request {
  scim?: ScimContext;
}

/**
 * SCIM routes are @Public to the global AuthGuard and authenticated here by the org's SCIM
 * token (a bearer header: no cookie, so no CSRF). The provider acts with admin rights over
 * users and groups of its own org, recorded in the audit log as actor type `scim`.
 */
@Injectable()
export class ScimGuard implements CanActivate {
  constructor(private readonly tokens: ScimTokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ScimRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new ScimError(401, null, 'Send the SCIM token as "Authorization: Bearer <token>"');
    const principal = await this.tokens.authenticate(match[1]);
    if (!principal) throw new ScimError(401, null, 'The SCIM token is unknown or revoked');
    req.scim = {
      orgId: principal.orgId,
      tokenId: principal.tokenId,
      actor: { type: 'scim', userId: null, role: 'admin', ip: req.ip ?? null, requestId: req.id !== undefined ? String(req.id) : null },
    };
    return true;
  }
}
