import { Injectable } from '@nestjs/common';
import type { UserRole } from '../../identity/auth-context.js';
import type { OrgTx } from '../../tenancy/tenant-database.js';

/** Claim names for each profile field we take from the ID token (or userinfo). */
export interface OidcClaimMapping {
  email?: string;
  displayName?: string;
  handle?: string;
  title?: string;
  department?: string;
  /** Claim with the user's IdP groups, kept in step with linked Chorus groups (as for SAML). */
  groups?: string;
}

export interface OidcConfigRow {
  orgId: string;
  enabled: boolean;
  issuerUrl: string;
  clientId: string;
  /** AES-256-GCM under SECRETS_KEY (see SecretBox); null for a public client. */
  clientSecretSealed: string | null;
  scopes: string[];
  claimMapping: OidcClaimMapping;
  jit: boolean;
  defaultRole: UserRole;
  createdAt: Date;
  updatedAt: Date;
}

export type OidcConfigInput = Omit<OidcConfigRow, 'orgId' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `org_id AS "orgId", enabled, issuer_url AS "issuerUrl", client_id AS "clientId", client_secret_sealed AS "clientSecretSealed",
  scopes, claim_mapping AS "claimMapping", jit, default_role AS "defaultRole", created_at AS "createdAt", updated_at AS "updatedAt"`;

@Injectable()
export class OidcConfigRepository {
  async get(tx: OrgTx, forUpdate = false): Promise<OidcConfigRow | null> {
    const rows = await tx.query<OidcConfigRow>(`SELECT ${COLUMNS} FROM oidc_config WHERE org_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [tx.orgId]);
    return rows[0] ?? null;
  }

  async upsert(tx: OrgTx, c: OidcConfigInput): Promise<OidcConfigRow> {
    const rows = await tx.query<OidcConfigRow>(
      `INSERT INTO oidc_config (org_id, enabled, issuer_url, client_id, client_secret_sealed, scopes, claim_mapping, jit, default_role)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (org_id) DO UPDATE SET enabled = $2, issuer_url = $3, client_id = $4, client_secret_sealed = $5, scopes = $6,
         claim_mapping = $7, jit = $8, default_role = $9, updated_at = now()
       RETURNING ${COLUMNS}`,
      [tx.orgId, c.enabled, c.issuerUrl, c.clientId, c.clientSecretSealed, c.scopes, JSON.stringify(c.claimMapping), c.jit, c.defaultRole],
    );
    return rows[0];
  }
}
