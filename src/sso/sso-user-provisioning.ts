import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { DomainError } from '../common/domain-error.js';
import type { UserRole } from '../identity/auth-context.js';
import type { SsoLink } from '../identity/user.repository.js';
import type { UserView } from '../identity/user.service.js';
import { TenantDatabase } from '../tenancy/tenant-database.js';
import { UserService } from '../identity/user.service.js';

/** Profile fields an identity provider asserted, after the org's mapping. */
export interface SsoAttributes {
  email?: string;
  displayName?: string;
  handle?: string;
  title?: string;
  department?: string;
}

/** One protocol's failures, in its own error catalogue. */
export interface SsoProtocolErrors {
  deactivated(): Error;
  unknownUser(): Error;
  noEmail(): Error;
  conflict(code: string): Error;
}

/**
 * The sign-in rule SAML and OIDC share: the linked (or same-email) user gets the asserted
 * profile; with JIT an unknown user is created with the org's default role; deactivated users
 * are refused; a clash with another user's email or handle is the protocol's conflict error.
 */
@Injectable()
export class SsoUserProvisioning {
  constructor(
    private readonly users: UserService,
    private readonly db: TenantDatabase,
  ) {}

  async provision(
    orgId: string,
    actor: Actor,
    link: SsoLink,
    rules: { jit: boolean; defaultRole: UserRole },
    attrs: SsoAttributes,
    protocol: SsoProtocolErrors,
  ): Promise<UserView> {
    const system: Actor = { ...actor, type: 'system', userId: null, role: null };
    try {
      return await this.db.withOrg(orgId, async (tx) => {
        const existing = await this.users.findForSsoLink(tx, link, attrs.email ?? null);
        if (existing) {
          if (existing.status !== 'active') throw protocol.deactivated();
          return this.users.syncFromSso(tx, system, existing.id, attrs);
        }
        if (!rules.jit) throw protocol.unknownUser();
        if (!attrs.email) throw protocol.noEmail();
        return this.users.createForSsoLink(tx, system, link, {
          email: attrs.email,
          displayName: attrs.displayName ?? attrs.email,
          handle: attrs.handle,
          title: attrs.title ?? null,
          department: attrs.department ?? null,
          role: rules.defaultRole,
        });
      });
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'email_taken' || error.code === 'handle_taken')) throw protocol.conflict(error.code);
      throw error;
    }
  }
}
