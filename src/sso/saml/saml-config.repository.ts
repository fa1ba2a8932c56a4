import { Injectable } from '@nestjs/common';
import type { UserRole } from '../../identity/auth-context.js';
import type { OrgTx } from '../../tenancy/tenant-database.js';

/** IdP attribute names (or `nameID`) for each profile field we take from assertions. */
export interface SamlAttributeMapping {
  email?: string;
  displayName?: string;
  handle?: string;
  title?: string;
  department?: string;
  groups?: string;
}

export interface SamlConfigRow {
  orgId: string;
  enabled: boolean;
  idpEntityId: string;
  idpSsoUrl: string;
  idpSloUrl: string | null;
  idpCerts: string[];
  spEntityId: string | null;
  attributeMapping: SamlAttributeMapping;
  jit: boolean;
  defaultRole: UserRole;
  ssoRequired: boolean;
  allowIdpInitiated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type SamlConfigInput = Omit<SamlConfigRow, 'orgId' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `org_id AS "orgId", enabled, idp_entity_id AS "idpEntityId", idp_sso_url AS "idpSsoUrl", idp_slo_url AS "idpSloUrl",
  idp_certs AS "idpCerts", sp_entity_id AS "spEntityId", attribute_mapping AS "attributeMapping", jit, default_role AS "defaultRole",
  sso_required AS "ssoRequired", allow_idp_initiated AS "allowIdpInitiated", created_at AS "createdAt", updated_at AS "updatedAt"`;

@Injectable()
export class SamlConfigRepository {
  async get(tx: OrgTx, forUpdate = false): Promise<SamlConfigRow | null> {
    const rows = await tx.query<SamlConfigRow>(`SELECT ${COLUMNS} FROM saml_config WHERE org_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [tx.orgId]);
    return rows[0] ?? null;
  }

  async upsert(tx: OrgTx, c: SamlConfigInput): Promise<SamlConfigRow> {
    const rows = await tx.query<SamlConfigRow>(
      `INSERT INTO saml_config (org_id, enabled, idp_entity_id, idp_sso_url, idp_slo_url, idp_certs, sp_entity_id, attribute_mapping,
         jit, default_role, sso_required, allow_idp_initiated)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (org_id) DO UPDATE SET enabled = $2, idp_entity_id = $3, idp_sso_url = $4, idp_slo_url = $5, idp_certs = $6,
         sp_entity_id = $7, attribute_mapping = $8, jit = $9, default_role = $10, sso_required = $11, allow_idp_initiated = $12,
         updated_at = now()
       RETURNING ${COLUMNS}`,
      [tx.orgId, c.enabled, c.idpEntityId, c.idpSsoUrl, c.idpSloUrl, c.idpCerts, c.spEntityId, JSON.stringify(c.attributeMapping),
        c.jit, c.defaultRole, c.ssoRequired, c.allowIdpInitiated],
    );
    return rows[0];
  }
}
