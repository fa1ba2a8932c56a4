import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { notFound } from '../../common/domain-error.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { newSecret, sha256 } from '../../identity/secrets.js';
import { TenantDatabase } from '../../tenancy/tenant-database.js';
import { ScimTokenRepository, type ScimPrincipal, type ScimTokenRow } from './scim-token.repository.js';

export const SCIM_TOKEN_PREFIX = 'scim_';
const LIST_MAX = 200;
/** last_used_at is written at most this often, so SCIM reads do not all become writes. */
const TOUCH_EVERY_MS = 60_000;

export interface CreatedScimToken extends ScimTokenRow {
  /** The secret, shown once; only its SHA-256 is stored. */
  token: string;
}

/** Admins create and revoke the org's SCIM tokens; the SCIM guard resolves them. */
@Injectable()
export class ScimTokenService {
  constructor(
    private readonly tokens: ScimTokenRepository,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
  ) {}

  async create(auth: AuthContext, name: string): Promise<CreatedScimToken> {
    const token = `${SCIM_TOKEN_PREFIX}${newSecret()}`;
    return this.db.withOrg(auth.orgId, async (tx) => {
      const row = await this.tokens.insert(tx, { name: name.trim(), prefix: token.slice(0, 12), hash: sha256(token), createdBy: auth.userId });
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.ScimTokenCreated,
        target: { type: 'scim_token', id: row.id },
        data: { name: row.name, prefix: row.prefix },
      });
      return { ...row, token };
    });
  }

  async list(auth: AuthContext): Promise<ScimTokenRow[]> {
    return this.db.withOrg(auth.orgId, (tx) => this.tokens.list(tx, LIST_MAX));
  }

  async revoke(auth: AuthContext, id: string): Promise<void> {
    await this.db.withOrg(auth.orgId, async (tx) => {
      const token = await this.tokens.find(tx, id);
      if (!token) throw notFound('SCIM token');
      if (token.revokedAt) return;
      await this.tokens.revoke(tx, id);
      await this.audit.record(tx, auth.actor, { action: AuditAction.ScimTokenRevoked, target: { type: 'scim_token', id }, data: { prefix: token.prefix } });
    });
  }

  /** The org behind a live SCIM token, or null. */
  async authenticate(secret: string): Promise<ScimPrincipal | null> {
    const principal = await this.db.statement((tx) => this.tokens.principal(tx, sha256(secret)));
    if (principal && (!principal.lastUsedAt || Date.now() - principal.lastUsedAt.getTime() > TOUCH_EVERY_MS)) {
      await this.db.withOrg(principal.orgId, (tx) => this.tokens.touch(tx, principal.tokenId));
    }
    return principal;
  }
}
