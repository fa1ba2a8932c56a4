import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SAML single logout. A session started by the SAML ACS remembers the assertion's NameID (and its
 * Format) and SessionIndex, so we can send the IdP a LogoutRequest for it and find the sessions an
 * IdP-initiated LogoutRequest names. All null for password, OIDC and older sessions.
 */
export class SamlSlo1795447000000 implements MigrationInterface {
  name = 'SamlSlo1795447000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE user_session ADD COLUMN saml_name_id text`);
    await q.query(`ALTER TABLE user_session ADD COLUMN saml_name_id_format text`);
    await q.query(`ALTER TABLE user_session ADD COLUMN saml_session_index text`);
    await q.query(`CREATE INDEX user_session_org_id_saml_name_id_idx ON user_session (org_id, saml_name_id) WHERE saml_name_id IS NOT NULL AND revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX user_session_org_id_saml_name_id_idx`);
    await q.query(`ALTER TABLE user_session DROP COLUMN saml_session_index`);
    await q.query(`ALTER TABLE user_session DROP COLUMN saml_name_id_format`);
    await q.query(`ALTER TABLE user_session DROP COLUMN saml_name_id`);
  }
}
