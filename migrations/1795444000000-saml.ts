import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-organisation SAML 2.0 single sign-on. One `saml_config` row per org (its IdP, the
 * certificates it may sign with, several during a rotation, and the login rules). Users get
 * the IdP's NameID once they have signed in through it, and a break-glass flag: when an org
 * requires SSO, only break-glass users may still use a local password.
 */
export class Saml1795444000000 implements MigrationInterface {
  name = 'Saml1795444000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saml_config (
        org_id uuid NOT NULL,
        enabled boolean NOT NULL DEFAULT false,
        idp_entity_id text NOT NULL,
        idp_sso_url text NOT NULL,
        idp_slo_url text,
        idp_certs text[] NOT NULL,
        sp_entity_id text,
        attribute_mapping jsonb NOT NULL DEFAULT '{}'::jsonb,
        jit boolean NOT NULL DEFAULT false,
        default_role text NOT NULL DEFAULT 'member',
        sso_required boolean NOT NULL DEFAULT false,
        allow_idp_initiated boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT saml_config_pkey PRIMARY KEY (org_id),
        CONSTRAINT saml_config_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT saml_config_default_role_check CHECK (default_role IN ('member', 'admin', 'compliance')),
        CONSTRAINT saml_config_idp_certs_check CHECK (cardinality(idp_certs) BETWEEN 1 AND 10),
        CONSTRAINT saml_config_attribute_mapping_check CHECK (jsonb_typeof(attribute_mapping) = 'object')
      )`);
    await q.query(`ALTER TABLE saml_config ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY saml_config_org_isolation ON saml_config
      USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON saml_config TO chorus_app`);

    await q.query(`ALTER TABLE user_account ADD COLUMN break_glass boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE user_account ADD COLUMN saml_name_id text`);
    await q.query(`CREATE UNIQUE INDEX user_account_org_id_saml_name_id_key ON user_account (org_id, saml_name_id) WHERE saml_name_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX user_account_org_id_saml_name_id_key`);
    await q.query(`ALTER TABLE user_account DROP COLUMN saml_name_id`);
    await q.query(`ALTER TABLE user_account DROP COLUMN break_glass`);
    await q.query(`DROP TABLE saml_config`);
  }
}
