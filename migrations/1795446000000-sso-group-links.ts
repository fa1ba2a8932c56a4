import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group sync from single sign-on: a Chorus group linked to one or more IdP group names (as
 * the IdP sends them in its groups attribute or claim). Only linked groups are ever changed by
 * a sign-in. A group may carry several names and a name may feed several groups.
 */
export class SsoGroupLinks1795446000000 implements MigrationInterface {
  name = 'SsoGroupLinks1795446000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sso_group_link (
        org_id uuid NOT NULL,
        group_id uuid NOT NULL,
        idp_group text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sso_group_link_pkey PRIMARY KEY (org_id, idp_group, group_id),
        CONSTRAINT sso_group_link_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT sso_group_link_idp_group_check CHECK (length(idp_group) BETWEEN 1 AND 256)
      )`);
    await q.query(`CREATE INDEX sso_group_link_org_id_group_id_idx ON sso_group_link (org_id, group_id)`);
    await q.query(`ALTER TABLE sso_group_link ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY sso_group_link_org_isolation ON sso_group_link
      USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON sso_group_link TO chorus_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sso_group_link`);
  }
}
