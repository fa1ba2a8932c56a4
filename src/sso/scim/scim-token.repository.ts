import { Injectable } from '@nestjs/common';
import type { OrgTx, UnscopedTx } from '../../tenancy/tenant-database.js';

export interface ScimTokenRow {
  id: string;
  name: string;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ScimPrincipal {
  orgId: string;
  tokenId: string;
  lastUsedAt: Date | null;
}

const COLUMNS = `id, name, prefix, created_by AS "createdBy", created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** The identity provider's bearer tokens, one org each; only their SHA-256 is stored. */
@Injectable()
export class ScimTokenRepository {
  /** A live token's org, across orgs, in one statement (SECURITY DEFINER). */
  async principal(tx: UnscopedTx, hash: Buffer): Promise<ScimPrincipal | null> {
    const rows = await tx.query<ScimPrincipal>(
      `SELECT org_id AS "orgId", token_id AS "tokenId", last_used_at AS "lastUsedAt" FROM scim_token_principal($1)`,
      [hash],
    );
    return rows[0] ?? null;
  }

  async insert(tx: OrgTx, t: { name: string; prefix: string; hash: Buffer; createdBy: string }): Promise<ScimTokenRow> {
    const rows = await tx.query<ScimTokenRow>(
      `INSERT INTO scim_token (org_id, name, prefix, token_hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [tx.orgId, t.name, t.prefix, t.hash, t.createdBy],
    );
    return rows[0];
  }

  /** Every token of the org, newest first (an org has a handful). */
  async list(tx: OrgTx, limit: number): Promise<ScimTokenRow[]> {
    return tx.query<ScimTokenRow>(`SELECT ${COLUMNS} FROM scim_token WHERE org_id = $1 ORDER BY created_at DESC, id LIMIT $2`, [tx.orgId, limit]);
  }

  async find(tx: OrgTx, id: string): Promise<ScimTokenRow | null> {
    const rows = await tx.query<ScimTokenRow>(`SELECT ${COLUMNS} FROM scim_token WHERE org_id = $1 AND id = $2 FOR UPDATE`, [tx.orgId, id]);
    return rows[0] ?? null;
  }

  async revoke(tx: OrgTx, id: string): Promise<void> {
    await tx.query(`UPDATE scim_token SET revoked_at = now() WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, [tx.orgId, id]);
  }

  async touch(tx: OrgTx, id: string): Promise<void> {
    await tx.query(`UPDATE scim_token SET last_used_at = now() WHERE org_id = $1 AND id = $2`, [tx.orgId, id]);
  }
}
