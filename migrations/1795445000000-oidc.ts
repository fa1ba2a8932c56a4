import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-organisation OpenID Connect sign-in. One `oidc_config` row per org: the issuer, our client
 * id and its secret (AES-256-GCM under SECRETS_KEY, never in clear), scopes, claim mapping and
 * the JIT rules. Users get the provider's subject (`iss` + `sub`) once they have signed in
 * through it, unique per org like the SAML NameID.
 */
export class Oidc1795445000000 implements MigrationInterface {
  name = 'Oidc1795445000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_config (
        org_id uuid NOT NULL,
        enabled boolean NOT NULL DEFAULT false,
        issuer_url text NOT NULL,
        client_id text NOT NULL,
        client_secret_sealed text,
        scopes text[] NOT NULL DEFAULT ARRAY['openid', 'email', 'profile'],
        claim_mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
        jit boolean NOT NULL DEFAULT false,
        default_role text NOT NULL DEFAULT 'member',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT oidc_config_pkey PRIMARY KEY (org_id),
        CONSTRAINT oidc_config_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT oidc_config_default_role_check CHECK (default_role IN ('member', 'admin', 'compliance')),
        CONSTRAINT oidc_config_scopes_check CHECK ('openid' = ANY (scopes)),
        CONSTRAINT oidc_config_claim_mapping_check CHECK (jsonb_typeof(claim_mapping) = 'object')
      )`);
    await q.query(`ALTER TABLE oidc_config ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY oidc_config_org_isolation ON oidc_config
      USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON oidc_config TO chorus_app`);

    await q.query(`ALTER TABLE user_account ADD COLUMN oidc_subject text`);
    await q.query(`CREATE UNIQUE INDEX user_account_org_id_oidc_subject_key ON user_account (org_id, oidc_subject) WHERE oidc_subject IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX user_account_org_id_oidc_subject_key`);
    await q.query(`ALTER TABLE user_account DROP COLUMN oidc_subject`);
    await q.query(`DROP TABLE oidc_config`);
  }
}
