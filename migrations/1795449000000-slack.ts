import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Slack bridge: one installation per Slack workspace (team) and org, channels linked to
 * groups, a durable inbox of Slack deliveries (written before Slack gets its 200, unique per
 * team and event id so retries never post twice), which Slack message each post came from or
 * was mirrored to, and a cache of Slack users resolved to Chorus users by verified email.
 * Tokens and signing secrets are sealed with SECRETS_KEY (AES-256-GCM, bound to the org).
 */
export class Slack1795449000000 implements MigrationInterface {
  name = 'Slack1795449000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slack_installation (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        team_id text NOT NULL,
        team_name text,
        enterprise_id text,
        app_id text,
        bot_user_id text,
        bot_id text,
        bot_token_sealed text NOT NULL,
        bot_scopes text[] NOT NULL DEFAULT '{}',
        signing_secret_sealed text,
        method text NOT NULL,
        default_group_id uuid,
        installed_by uuid,
        installed_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT slack_installation_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT slack_installation_org_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT slack_installation_installed_by_fkey FOREIGN KEY (org_id, installed_by) REFERENCES user_account (org_id, id),
        CONSTRAINT slack_installation_default_group_fkey FOREIGN KEY (org_id, default_group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT slack_installation_method_check CHECK (method IN ('oauth', 'token')),
        CONSTRAINT slack_installation_team_id_check CHECK (team_id ~ '^[A-Z0-9]{2,32}$')
      )`);
    // A workspace belongs to one org at a time (events carry only the team id).
    await q.query(`CREATE UNIQUE INDEX slack_installation_team_key ON slack_installation (team_id) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE slack_channel_link (
        org_id uuid NOT NULL,
        installation_id uuid NOT NULL,
        channel_id text NOT NULL,
        channel_name text,
        group_id uuid NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT slack_channel_link_pkey PRIMARY KEY (org_id, installation_id, channel_id),
        CONSTRAINT slack_channel_link_installation_fkey FOREIGN KEY (org_id, installation_id) REFERENCES slack_installation (org_id, id),
        CONSTRAINT slack_channel_link_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT slack_channel_link_created_by_fkey FOREIGN KEY (org_id, created_by) REFERENCES user_account (org_id, id),
        CONSTRAINT slack_channel_link_channel_check CHECK (channel_id ~ '^[A-Z0-9]{2,32}$')
      )`);
    await q.query(`CREATE INDEX slack_channel_link_group_idx ON slack_channel_link (org_id, group_id)`);

    // Every delivery Slack makes (events, commands, interactions), stored before we answer 200.
    await q.query(`
      CREATE TABLE slack_inbox (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        installation_id uuid NOT NULL,
        team_id text NOT NULL,
        delivery_key text NOT NULL,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        error text,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT slack_inbox_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT slack_inbox_installation_fkey FOREIGN KEY (org_id, installation_id) REFERENCES slack_installation (org_id, id),
        CONSTRAINT slack_inbox_kind_check CHECK (kind IN ('event', 'command', 'interaction')),
        CONSTRAINT slack_inbox_status_check CHECK (status IN ('pending', 'done', 'ignored', 'failed'))
      )`);
    // Slack retries (X-Slack-Retry-Num) and repeated event ids collapse here.
    await q.query(`CREATE UNIQUE INDEX slack_inbox_delivery_key ON slack_inbox (org_id, team_id, delivery_key)`);
    await q.query(`CREATE INDEX slack_inbox_pending_idx ON slack_inbox (org_id, received_at) WHERE status = 'pending'`);

    // Which Slack message a post came from (inbound) or was posted as (outbound mirror).
    await q.query(`
      CREATE TABLE slack_message (
        org_id uuid NOT NULL,
        team_id text NOT NULL,
        channel_id text NOT NULL,
        ts text NOT NULL,
        post_id uuid NOT NULL,
        direction text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT slack_message_pkey PRIMARY KEY (org_id, team_id, channel_id, ts),
        CONSTRAINT slack_message_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id),
        CONSTRAINT slack_message_direction_check CHECK (direction IN ('inbound', 'outbound'))
      )`);
    await q.query(`CREATE INDEX slack_message_post_idx ON slack_message (org_id, post_id)`);

    await q.query(`
      CREATE TABLE slack_user (
        org_id uuid NOT NULL,
        team_id text NOT NULL,
        slack_user_id text NOT NULL,
        email text,
        user_id uuid,
        fetched_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT slack_user_pkey PRIMARY KEY (org_id, team_id, slack_user_id),
        CONSTRAINT slack_user_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id)
      )`);

    for (const table of ['slack_installation', 'slack_channel_link', 'slack_inbox', 'slack_message', 'slack_user']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_org_isolation ON ${table}
        USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON slack_installation, slack_inbox TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON slack_channel_link, slack_user TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT ON slack_message TO chorus_app`);
    // Slack messages of purged posts go with them.
    await q.query(`GRANT DELETE ON slack_message TO chorus_app`);

    // The one cross-org read the bridge needs: a Slack team id to its org and installation,
    // before the org is known (like auth_principal). Live installations only.
    await q.query(`
      CREATE FUNCTION slack_installation_for_team(p_team_id text)
      RETURNS TABLE (org_id uuid, installation_id uuid, signing_secret_sealed text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $$ SELECT i.org_id, i.id, i.signing_secret_sealed FROM slack_installation i
         WHERE i.team_id = p_team_id AND i.revoked_at IS NULL $$`);
    await q.query(`REVOKE ALL ON FUNCTION slack_installation_for_team(text) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION slack_installation_for_team(text) TO chorus_app`);

    // Deliveries stored but never processed (the job was lost, e.g. the process died between
    // the commit and the enqueue): the requeue job finds them across orgs.
    await q.query(`
      CREATE FUNCTION slack_inbox_stale(p_older_than_seconds integer, p_max_attempts integer, p_limit integer)
      RETURNS TABLE (org_id uuid, id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $$ SELECT i.org_id, i.id FROM slack_inbox i
         WHERE i.status = 'pending' AND i.attempts < p_max_attempts
           AND i.received_at < now() - make_interval(secs => p_older_than_seconds)
         ORDER BY i.received_at LIMIT p_limit $$`);
    await q.query(`REVOKE ALL ON FUNCTION slack_inbox_stale(integer, integer, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION slack_inbox_stale(integer, integer, integer) TO chorus_app`);
    await q.query(`CREATE INDEX slack_inbox_stale_idx ON slack_inbox (received_at) WHERE status = 'pending'`);

    // The retention purge also removes the Slack message mapping of a purged post.
    await q.query(`
      CREATE OR REPLACE FUNCTION retention_forget_slack() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
      $$ BEGIN
        DELETE FROM slack_message WHERE org_id = OLD.org_id AND post_id = OLD.id;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER post_forget_slack BEFORE DELETE ON post FOR EACH ROW EXECUTE FUNCTION retention_forget_slack()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER post_forget_slack ON post`);
    await q.query(`DROP FUNCTION retention_forget_slack()`);
    await q.query(`DROP FUNCTION slack_inbox_stale(integer, integer, integer)`);
    await q.query(`DROP FUNCTION slack_installation_for_team(text)`);
    for (const table of ['slack_user', 'slack_message', 'slack_inbox', 'slack_channel_link', 'slack_installation']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
