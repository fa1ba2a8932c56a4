import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation schema: organisations (tenants), users, sessions, API tokens, groups and the
 * hash-chained audit log. Every org-scoped table has `org_id` leading its keys and indexes,
 * composite foreign keys so a row can never point into another org, and an RLS policy keyed
 * on the transaction-local setting `app.org_id`. The runtime role `chorus_app` owns nothing,
 * so the policies bind it; a session without `app.org_id` sees no rows.
 */
export class Foundation1795433853305 implements MigrationInterface {
  name = 'Foundation1795433853305';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chorus_app') THEN
          CREATE ROLE chorus_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$`);
    await q.query(`GRANT chorus_app TO CURRENT_USER`);
    await q.query(`GRANT USAGE ON SCHEMA public TO chorus_app`);

    await q.query(`
      CREATE FUNCTION current_org_id() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$`);

    await q.query(`
      CREATE TABLE org (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        slug text NOT NULL,
        name text NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT org_pkey PRIMARY KEY (id),
        CONSTRAINT org_slug_key UNIQUE (slug),
        CONSTRAINT org_slug_check CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
        CONSTRAINT org_name_check CHECK (length(name) BETWEEN 1 AND 200)
      )`);

    await q.query(`
      CREATE TABLE user_account (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        handle text NOT NULL,
        title text,
        department text,
        role text NOT NULL DEFAULT 'member',
        status text NOT NULL DEFAULT 'active',
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        CONSTRAINT user_account_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT user_account_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT user_account_role_check CHECK (role IN ('member', 'admin', 'compliance')),
        CONSTRAINT user_account_status_check CHECK (status IN ('active', 'deactivated')),
        CONSTRAINT user_account_handle_check CHECK (handle ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX user_account_org_id_email_key ON user_account (org_id, lower(email))`);
    await q.query(`CREATE UNIQUE INDEX user_account_org_id_handle_key ON user_account (org_id, lower(handle))`);
    await q.query(`CREATE INDEX user_account_org_id_created_at_idx ON user_account (org_id, created_at, id)`);

    // Credential lookups arrive before the org is known, so token_hash is unique across orgs;
    // they go only through the SECURITY DEFINER functions below.
    await q.query(`
      CREATE TABLE user_session (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip text,
        user_agent text,
        CONSTRAINT user_session_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT user_session_token_hash_key UNIQUE (token_hash),
        CONSTRAINT user_session_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id)
      )`);
    await q.query(`CREATE INDEX user_session_org_id_user_id_idx ON user_session (org_id, user_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX user_session_expires_at_idx ON user_session (org_id, expires_at)`);

    await q.query(`
      CREATE TABLE api_token (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        name text NOT NULL,
        prefix text NOT NULL,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_token_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT api_token_token_hash_key UNIQUE (token_hash),
        CONSTRAINT api_token_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id),
        CONSTRAINT api_token_name_check CHECK (length(name) BETWEEN 1 AND 100)
      )`);
    await q.query(`CREATE INDEX api_token_org_id_user_id_idx ON api_token (org_id, user_id, created_at, id)`);

    await q.query(`
      CREATE TABLE org_group (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        visibility text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        archived_at timestamptz,
        CONSTRAINT org_group_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT org_group_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT org_group_created_by_fkey FOREIGN KEY (org_id, created_by) REFERENCES user_account (org_id, id),
        CONSTRAINT org_group_visibility_check CHECK (visibility IN ('public', 'private'))
      )`);
    await q.query(`CREATE UNIQUE INDEX org_group_org_id_name_key ON org_group (org_id, lower(name))`);
    await q.query(`CREATE INDEX org_group_org_id_name_idx ON org_group (org_id, lower(name), id)`);

    await q.query(`
      CREATE TABLE group_membership (
        org_id uuid NOT NULL,
        group_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL DEFAULT 'member',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT group_membership_pkey PRIMARY KEY (org_id, group_id, user_id),
        CONSTRAINT group_membership_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT group_membership_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id),
        CONSTRAINT group_membership_role_check CHECK (role IN ('owner', 'member'))
      )`);
    await q.query(`CREATE INDEX group_membership_org_id_user_id_idx ON group_membership (org_id, user_id, group_id)`);

    await q.query(`
      CREATE TABLE audit_event (
        org_id uuid NOT NULL,
        seq bigint NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        occurred_at timestamptz NOT NULL,
        actor_type text NOT NULL,
        actor_id uuid,
        action text NOT NULL,
        target_type text,
        target_id text,
        ip text,
        request_id text,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash bytea,
        hash bytea NOT NULL,
        CONSTRAINT audit_event_pkey PRIMARY KEY (org_id, seq),
        CONSTRAINT audit_event_org_id_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT audit_event_seq_check CHECK (seq > 0),
        CONSTRAINT audit_event_chain_check CHECK ((seq = 1) = (prev_hash IS NULL))
      )`);
    await q.query(`CREATE INDEX audit_event_org_id_action_idx ON audit_event (org_id, action, seq)`);
    await q.query(`CREATE INDEX audit_event_org_id_actor_id_idx ON audit_event (org_id, actor_id, seq)`);
    await q.query(`
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(`CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()`);
    await q.query(`CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()`);

    for (const table of ['user_account', 'user_session', 'api_token', 'org_group', 'group_membership', 'audit_event']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_org_isolation ON ${table}
        USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    }
    await q.query(`ALTER TABLE org ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY org_isolation ON org USING (id = current_org_id()) WITH CHECK (id = current_org_id())`);

    await q.query(`GRANT SELECT, INSERT, UPDATE ON org TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON user_account TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON user_session, api_token, group_membership TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON org_group TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT ON audit_event TO chorus_app`);

    // The only reads that cross orgs: resolving a slug, or a credential hash to the active user
    // behind it (one statement per request, before the org is known).
    await q.query(`
      CREATE FUNCTION org_lookup_by_slug(p_slug text) RETURNS TABLE (id uuid, slug text, name text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $$ SELECT o.id, o.slug, o.name FROM org o WHERE o.slug = lower(p_slug) $$`);
    await q.query(`
      CREATE FUNCTION auth_principal(p_kind text, p_token_hash bytea)
      RETURNS TABLE (org_id uuid, user_id uuid, role text, session_id uuid, token_id uuid, last_seen_at timestamptz, last_used_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $$ SELECT s.org_id, u.id, u.role, s.id, NULL::uuid, s.last_seen_at, NULL::timestamptz
         FROM user_session s JOIN user_account u ON u.org_id = s.org_id AND u.id = s.user_id
         WHERE p_kind = 'session' AND s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now()
           AND u.status = 'active'
         UNION ALL
         SELECT t.org_id, u.id, u.role, NULL::uuid, t.id, NULL::timestamptz, t.last_used_at
         FROM api_token t JOIN user_account u ON u.org_id = t.org_id AND u.id = t.user_id
         WHERE p_kind = 'token' AND t.token_hash = p_token_hash AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.status = 'active' $$`);
    await q.query(`CREATE FUNCTION org_list_ids() RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$ SELECT id FROM org ORDER BY id $$`);
    for (const fn of ['org_lookup_by_slug(text)', 'auth_principal(text, bytea)', 'org_list_ids()']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO chorus_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of ['org_list_ids()', 'auth_principal(text, bytea)', 'org_lookup_by_slug(text)']) {
      await q.query(`DROP FUNCTION ${fn}`);
    }
    for (const table of ['audit_event', 'group_membership', 'org_group', 'api_token', 'user_session', 'user_account', 'org']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION audit_event_append_only()`);
    await q.query(`DROP FUNCTION current_org_id()`);
  }
}
