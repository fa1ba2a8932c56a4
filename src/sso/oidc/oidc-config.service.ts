import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/actor.js';
import { badRequest } from '../../common/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { TenantDatabase, type OrgTx } from '../../tenancy/tenant-database.js';
import { OidcConfigRepository, type OidcConfigInput, type OidcConfigRow } from './oidc-config.repository.js';
import { SecretBox } from './secret-box.js';

export const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

/** Settings as admins see them: the secret only as `clientSecretSet`. */
export type OidcConfigPublic = Omit<OidcConfigRow, 'orgId' | 'clientSecretSealed'> & { clientSecretSet: boolean };

export interface OidcConfigView {
  configured: boolean;
  config: OidcConfigPublic | null;
  relyingParty: RelyingPartyUrls;
}

/** Our side for one org: the redirect URI to register at the provider and where sign-in starts. */
export interface RelyingPartyUrls {
  redirectUri: string;
  loginUrl: string;
}

/** What PUT takes: `clientSecret` undefined keeps the stored one, null removes it. */
export type OidcConfigUpdate = Omit<OidcConfigInput, 'clientSecretSealed'> & { clientSecret: string | null | undefined };

@Injectable()
export class OidcConfigService {
  constructor(
    private readonly repo: OidcConfigRepository,
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly secrets: SecretBox,
  ) {}

  relyingParty(orgSlug: string): RelyingPartyUrls {
    const base = `${this.config.publicUrl}/auth/oidc/${encodeURIComponent(orgSlug)}`;
    return { redirectUri: `${base}/callback`, loginUrl: `${base}/login` };
  }

  async find(tx: OrgTx): Promise<OidcConfigRow | null> {
    return this.repo.get(tx);
  }

  /** The client secret in clear, for the token request only. */
  clientSecret(row: OidcConfigRow): string | null {
    return row.clientSecretSealed === null ? null : this.secrets.open(row.clientSecretSealed, row.orgId);
  }

  async view(orgId: string, orgSlug: string): Promise<OidcConfigView> {
    const row = await this.db.withOrg(orgId, (tx) => this.repo.get(tx));
    return this.toView(orgSlug, row);
  }

  /** Replaces the settings; audited with before and after (the secret only as set / changed). */
  async put(orgId: string, orgSlug: string, actor: Actor, input: OidcConfigUpdate): Promise<OidcConfigView> {
    const { clientSecret, ...rest } = input;
    if (!rest.scopes.includes('openid')) throw badRequest('oidc_scopes_invalid', 'scopes must include openid');
    const sealed = typeof clientSecret === 'string' ? this.secrets.seal(clientSecret, orgId) : null;
    return this.db.withOrg(orgId, async (tx) => {
      const before = await this.repo.get(tx, true);
      const next: OidcConfigInput = {
        ...rest,
        scopes: [...new Set(rest.scopes)],
        clientSecretSealed: clientSecret === undefined ? (before?.clientSecretSealed ?? null) : sealed,
      };
      const after = await this.repo.upsert(tx, next);
      await this.audit.record(tx, actor, {
        action: AuditAction.OidcConfigUpdated,
        target: { type: 'oidc_config', id: tx.orgId },
        data: { from: before && publicShape(before), to: publicShape(after), clientSecretChanged: clientSecret !== undefined },
      });
      return this.toView(orgSlug, after);
    });
  }

  private toView(orgSlug: string, row: OidcConfigRow | null): OidcConfigView {
    return { configured: row !== null, config: row && { ...publicShape(row), createdAt: row.createdAt, updatedAt: row.updatedAt }, relyingParty: this.relyingParty(orgSlug) };
  }
}

function publicShape(c: OidcConfigRow): OidcConfigPublic {
  const { orgId: _o, clientSecretSealed, ...rest } = c;
  return { ...rest, clientSecretSet: clientSecretSealed !== null };
}
