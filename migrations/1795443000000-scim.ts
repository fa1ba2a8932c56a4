import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM 2.0 provisioning: per-org bearer tokens for the identity provider (stored as SHA-256,
 * resolved to their org by a SECURITY DEFINER function before the org is known, like
 * auth_principal), and the IdP's `externalId` on users and groups (unique per org when set).
 * `scim_deleted_at` marks users the IdP deleted (deactivated, content kept, 404 to SCIM);
 * `scim_managed` marks groups that SCIM created or linked, the only ones it can see.
 */
export class Scim1795443000000 implements MigrationInterface {
  name = 'Scim1795443000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scim_token (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        token_hash bytea NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT scim_token_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT scim_token_token_hash_key UNIQUE (token_hash),
        CONSTRAINT scim_token_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT scim_token_created_by_fkey FOREIGN KEY (org_id, created_by) REFERENCES user_account (org_id, id),
        CONSTRAINT scim_token_name_check CHECK (length(name) BETWEEN 1 AND 100)
      )`);
    await q.query(`CREATE INDEX scim_token_org_id_created_at_idx ON scim_token (org_id, created_at, id)`);
    await q.query(`ALTER TABLE scim_token ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY scim_token_org_isolation ON scim_token
      USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON scim_token TO chorus_app`);

    await q.query(`ALTER TABLE user_account ADD COLUMN scim_external_id text, ADD COLUMN scim_deleted_at timestamptz`);
    await q.query(`ALTER TABLE user_account ADD CONSTRAINT user_account_scim_external_id_check CHECK (length(scim_external_id) BETWEEN 1 AND 512)`);
    await q.query(`CREATE UNIQUE INDEX user_account_org_id_scim_external_id_key ON user_account (org_id, scim_external_id)
      WHERE scim_external_id IS NOT NULL`);

    await q.query(`ALTER TABLE org_group ADD COLUMN scim_external_id text, ADD COLUMN scim_managed boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE org_group ADD CONSTRAINT org_group_scim_external_id_check CHECK (length(scim_external_id) BETWEEN 1 AND 512)`);
    await q.query(`CREATE UNIQUE INDEX org_group_org_id_scim_external_id_key ON org_group (org_id, scim_external_id)
      WHERE scim_external_id IS NOT NULL`);

    // The one cross-org read SCIM needs: a token's hash to its org, live tokens only.
    await q.query(`
      CREATE FUNCTION scim_token_principal(p_token_hash bytea)
      RETURNS TABLE (org_id uuid, token_id uuid, last_used_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $$ SELECT t.org_id, t.id, t.last_used_at FROM scim_token t
         WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL $$`);
    await q.query(`REVOKE ALL ON FUNCTION scim_token_principal(bytea) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION scim_token_principal(bytea) TO chorus_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION scim_token_principal(bytea)`);
    await q.query(`DROP INDEX org_group_org_id_scim_external_id_key`);
    await q.query(`ALTER TABLE org_group DROP CONSTRAINT org_group_scim_external_id_check, DROP COLUMN scim_external_id, DROP COLUMN scim_managed`);
    await q.query(`DROP INDEX user_account_org_id_scim_external_id_key`);
    await q.query(`ALTER TABLE user_account DROP CONSTRAINT user_account_scim_external_id_check, DROP COLUMN scim_external_id, DROP COLUMN scim_deleted_at`);
    await q.query(`DROP TABLE scim_token`);
  }
}
