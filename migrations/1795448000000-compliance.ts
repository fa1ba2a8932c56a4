import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance: retention policies, legal holds, the retention sweep and export bundles.
 *
 * Holds are enforced by the database, not only by the code that purges:
 * - `post.on_hold` is kept true for every post an active hold covers (a trigger marks new and
 *   edited posts; `legal_hold_refresh()` recomputes the org when a hold changes). A reply is
 *   held when its conversation's root is, so counsel always gets whole conversations.
 * - the app role has no DELETE on posts or versions; the one way to remove them is
 *   `retention_purge_posts()`, which locks its rows and skips held ones and roots that still
 *   have replies; and a trigger refuses to delete any held post or its versions, whoever asks.
 * - the purge walks partial indexes that exclude held rows, so held rows cost the sweep nothing.
 */
export class Compliance1795448000000 implements MigrationInterface {
  name = 'Compliance1795448000000';

  async up(q: QueryRunner): Promise<void> {
    // Where a post came from, for exports: {"kind":"email","messageId":...}, {"kind":"slack","team":...,"channel":...,"ts":...}.
    await q.query(`ALTER TABLE post ADD COLUMN on_hold boolean NOT NULL DEFAULT false, ADD COLUMN provenance jsonb`);
    await q.query(`ALTER TABLE post ADD CONSTRAINT post_provenance_check CHECK (provenance IS NULL OR jsonb_typeof(provenance) = 'object')`);
    // Export order (created_at, id) over every post of the org, deleted and replies included.
    await q.query(`CREATE INDEX post_created_idx ON post (org_id, created_at, id)`);
    // The sweep's paths: expired content and user-deleted content, held rows excluded.
    await q.query(`CREATE INDEX post_retention_idx ON post (org_id, group_id, created_at, id) WHERE NOT on_hold`);
    await q.query(`CREATE INDEX post_deleted_purge_idx ON post (org_id, deleted_at, id) WHERE deleted_at IS NOT NULL AND NOT on_hold`);
    await q.query(`CREATE INDEX post_on_hold_idx ON post (org_id, id) WHERE on_hold`);
    await q.query(`CREATE INDEX post_parent_idx ON post (org_id, parent_id) WHERE parent_id IS NOT NULL`);
    await q.query(`CREATE INDEX notification_post_idx ON notification (org_id, post_id)`);
    await q.query(`CREATE INDEX attachment_unattached_idx ON attachment (org_id, created_at) WHERE post_id IS NULL`);

    await q.query(`
      CREATE TABLE retention_policy (
        org_id uuid NOT NULL,
        retain_days integer,
        deleted_grace_days integer NOT NULL DEFAULT 30,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT retention_policy_pkey PRIMARY KEY (org_id),
        CONSTRAINT retention_policy_org_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT retention_policy_updated_by_fkey FOREIGN KEY (org_id, updated_by) REFERENCES user_account (org_id, id),
        CONSTRAINT retention_policy_retain_days_check CHECK (retain_days IS NULL OR retain_days BETWEEN 1 AND 36500),
        CONSTRAINT retention_policy_grace_check CHECK (deleted_grace_days BETWEEN 0 AND 3650)
      )`);
    // A row overrides the org default for one group; retain_days NULL there means "keep forever".
    await q.query(`
      CREATE TABLE group_retention_policy (
        org_id uuid NOT NULL,
        group_id uuid NOT NULL,
        retain_days integer,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT group_retention_policy_pkey PRIMARY KEY (org_id, group_id),
        CONSTRAINT group_retention_policy_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT group_retention_policy_updated_by_fkey FOREIGN KEY (org_id, updated_by) REFERENCES user_account (org_id, id),
        CONSTRAINT group_retention_policy_retain_days_check CHECK (retain_days IS NULL OR retain_days BETWEEN 1 AND 36500)
      )`);

    await q.query(`
      CREATE TABLE legal_hold (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        matter text NOT NULL,
        description text NOT NULL DEFAULT '',
        custodian_ids uuid[] NOT NULL DEFAULT '{}',
        group_ids uuid[] NOT NULL DEFAULT '{}',
        starts_at timestamptz,
        ends_at timestamptz,
        keywords text[] NOT NULL DEFAULT '{}',
        keyword_patterns text[] NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'active',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        released_by uuid,
        released_at timestamptz,
        release_reason text,
        CONSTRAINT legal_hold_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT legal_hold_org_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT legal_hold_created_by_fkey FOREIGN KEY (org_id, created_by) REFERENCES user_account (org_id, id),
        CONSTRAINT legal_hold_released_by_fkey FOREIGN KEY (org_id, released_by) REFERENCES user_account (org_id, id),
        CONSTRAINT legal_hold_matter_check CHECK (length(matter) BETWEEN 1 AND 200),
        CONSTRAINT legal_hold_description_check CHECK (length(description) <= 4000),
        CONSTRAINT legal_hold_status_check CHECK (status IN ('active', 'released')),
        CONSTRAINT legal_hold_range_check CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at),
        CONSTRAINT legal_hold_sizes_check CHECK (cardinality(custodian_ids) <= 1000 AND cardinality(group_ids) <= 1000 AND cardinality(keywords) <= 100),
        CONSTRAINT legal_hold_released_check CHECK ((status = 'released') = (released_at IS NOT NULL AND release_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX legal_hold_active_idx ON legal_hold (org_id) WHERE status = 'active'`);
    await q.query(`CREATE INDEX legal_hold_list_idx ON legal_hold (org_id, created_at, id)`);

    // Keywords as ILIKE patterns ('%word%', LIKE's wildcards escaped), kept by a trigger, so the
    // hold rule below is one plain expression that the planner inlines into set-based scans.
    await q.query(`
      CREATE FUNCTION legal_hold_patterns() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN
        NEW.keyword_patterns := ARRAY(
          SELECT '%' || replace(replace(replace(k, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' FROM unnest(NEW.keywords) k);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER legal_hold_patterns BEFORE INSERT OR UPDATE OF keywords ON legal_hold
      FOR EACH ROW EXECUTE FUNCTION legal_hold_patterns()`);

    // Does hold h cover a post with these fields? Every criterion the hold names must match;
    // keywords match case-insensitively as substrings of the text given (one version's text).
    await q.query(`
      CREATE FUNCTION legal_hold_covers(h legal_hold, p_author uuid, p_group uuid, p_created timestamptz, p_text text)
      RETURNS boolean LANGUAGE sql IMMUTABLE AS
      $$ SELECT (cardinality(h.custodian_ids) = 0 OR p_author = ANY (h.custodian_ids))
            AND (cardinality(h.group_ids) = 0 OR p_group = ANY (h.group_ids))
            AND (h.starts_at IS NULL OR p_created >= h.starts_at)
            AND (h.ends_at IS NULL OR p_created < h.ends_at)
            AND (cardinality(h.keyword_patterns) = 0 OR p_text ILIKE ANY (h.keyword_patterns)) $$`);

    // The posts the given holds (of the caller's org, whatever their status) cover, set-based: a
    // scan of the org's posts for holds without keywords, a scan of its versions for holds with
    // keywords (any version matching counts), then the replies of every covered root.
    await q.query(`
      CREATE FUNCTION legal_hold_posts(p_holds uuid[]) RETURNS TABLE (id uuid) LANGUAGE sql STABLE AS
      $$ WITH h AS (
           SELECT * FROM legal_hold WHERE org_id = current_org_id() AND id = ANY (p_holds)
         ),
         covered AS (
           SELECT p.id, p.parent_id FROM post p JOIN h ON cardinality(h.keywords) = 0
           WHERE p.org_id = current_org_id() AND legal_hold_covers(h, p.author_id, p.group_id, p.created_at, '')
           UNION
           SELECT p.id, p.parent_id FROM h
           JOIN post_version v ON v.org_id = current_org_id() AND cardinality(h.keywords) > 0
           JOIN post p ON p.org_id = v.org_id AND p.id = v.post_id
           WHERE legal_hold_covers(h, p.author_id, p.group_id, p.created_at, v.body)
         )
         SELECT c.id FROM covered c
         UNION
         SELECT r.id FROM covered c JOIN post r ON r.org_id = current_org_id() AND r.parent_id = c.id WHERE c.parent_id IS NULL $$`);

    // New posts and edits are marked as they are written. A post once held stays held until a
    // hold change recomputes it (an edit can add a keyword, never take a hold away).
    await q.query(`
      CREATE FUNCTION post_mark_hold() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM legal_hold h WHERE h.org_id = NEW.org_id AND h.status = 'active') THEN
          RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.on_hold THEN
          NEW.on_hold := true;
          RETURN NEW;
        END IF;
        NEW.on_hold := EXISTS (
          SELECT 1 FROM legal_hold h
          LEFT JOIN post r ON r.org_id = NEW.org_id AND r.id = NEW.parent_id
          WHERE h.org_id = NEW.org_id AND h.status = 'active'
            AND (legal_hold_covers(h, NEW.author_id, NEW.group_id, NEW.created_at, NEW.body)
                 OR coalesce(r.on_hold, false)));
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER post_mark_hold_insert BEFORE INSERT ON post FOR EACH ROW EXECUTE FUNCTION post_mark_hold()`);
    await q.query(`CREATE TRIGGER post_mark_hold_edit BEFORE UPDATE OF body ON post FOR EACH ROW EXECUTE FUNCTION post_mark_hold()`);
    // A root that becomes held (an edit adding a keyword) takes its replies with it.
    await q.query(`
      CREATE FUNCTION post_hold_replies() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN
        UPDATE post SET on_hold = true WHERE org_id = NEW.org_id AND parent_id = NEW.id AND NOT on_hold;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER post_hold_replies AFTER UPDATE ON post FOR EACH ROW
      WHEN (NEW.on_hold AND NOT OLD.on_hold AND NEW.parent_id IS NULL) EXECUTE FUNCTION post_hold_replies()`);

    // Recomputes on_hold for the caller's org after a hold is created, changed or released, in
    // one statement. Returns how many posts are held afterwards.
    await q.query(`
      CREATE FUNCTION legal_hold_refresh() RETURNS bigint LANGUAGE sql AS
      $$ WITH held AS MATERIALIZED (
           SELECT id FROM legal_hold_posts(ARRAY(SELECT id FROM legal_hold WHERE org_id = current_org_id() AND status = 'active'))
         ),
         set_held AS (
           UPDATE post p SET on_hold = true FROM held x
           WHERE p.org_id = current_org_id() AND p.id = x.id AND NOT p.on_hold RETURNING 1
         ),
         set_free AS (
           UPDATE post p SET on_hold = false
           WHERE p.org_id = current_org_id() AND p.on_hold AND NOT EXISTS (SELECT 1 FROM held x WHERE x.id = p.id) RETURNING 1
         )
         SELECT count(*) + 0 * (SELECT count(*) FROM set_held) + 0 * (SELECT count(*) FROM set_free) FROM held $$`);

    // Held content cannot be deleted by anyone, superusers included (short of dropping the trigger).
    await q.query(`
      CREATE FUNCTION post_refuse_held_delete() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN
        IF TG_TABLE_NAME = 'post' THEN
          IF OLD.on_hold THEN
            RAISE EXCEPTION 'post % is under legal hold', OLD.id USING ERRCODE = 'insufficient_privilege';
          END IF;
        ELSIF EXISTS (SELECT 1 FROM post p WHERE p.org_id = OLD.org_id AND p.id = OLD.post_id AND p.on_hold) THEN
          RAISE EXCEPTION 'post % is under legal hold', OLD.post_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER post_refuse_held_delete BEFORE DELETE ON post FOR EACH ROW EXECUTE FUNCTION post_refuse_held_delete()`);
    await q.query(`CREATE TRIGGER post_version_refuse_held_delete BEFORE DELETE ON post_version FOR EACH ROW EXECUTE FUNCTION post_refuse_held_delete()`);

    // Storage objects whose rows are gone; the sweep deletes the files after commit, and a
    // crashed sweep's leftovers are picked up by the next one.
    await q.query(`
      CREATE TABLE storage_gc (
        org_id uuid NOT NULL,
        storage_key text NOT NULL,
        queued_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT storage_gc_pkey PRIMARY KEY (org_id, storage_key),
        CONSTRAINT storage_gc_org_fkey FOREIGN KEY (org_id) REFERENCES org (id)
      )`);

    // The one way posts are deleted: the given ids of the caller's org that are not held and
    // have no replies left. Locks them, removes every dependent row (queueing attachment files
    // in storage_gc) and returns what it deleted.
    await q.query(`
      CREATE FUNCTION retention_purge_posts(p_ids uuid[])
      RETURNS TABLE (post_id uuid, group_id uuid, attachments integer)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
      $$ DECLARE
        org uuid := current_org_id();
        ids uuid[];
      BEGIN
        IF org IS NULL THEN RAISE EXCEPTION 'retention_purge_posts needs app.org_id'; END IF;
        SELECT coalesce(array_agg(l.id), '{}') INTO ids FROM (
          SELECT p.id FROM post p
          WHERE p.org_id = org AND p.id = ANY (p_ids) AND NOT p.on_hold
          FOR UPDATE OF p SKIP LOCKED) l;
        -- A root goes only with (or after) all of its replies.
        SELECT coalesce(array_agg(x), '{}') INTO ids FROM unnest(ids) x
          WHERE NOT EXISTS (SELECT 1 FROM post c WHERE c.org_id = org AND c.parent_id = x AND NOT (c.id = ANY (ids)));
        IF cardinality(ids) = 0 THEN RETURN; END IF;
        INSERT INTO storage_gc (org_id, storage_key)
          SELECT org, a.storage_key FROM attachment a WHERE a.org_id = org AND a.post_id = ANY (ids)
          ON CONFLICT DO NOTHING;
        RETURN QUERY
          WITH att AS (DELETE FROM attachment a WHERE a.org_id = org AND a.post_id = ANY (ids) RETURNING a.post_id)
          SELECT p.id, p.group_id, (SELECT count(*)::int FROM att WHERE att.post_id = p.id)
          FROM post p WHERE p.org_id = org AND p.id = ANY (ids);
        DELETE FROM notification x WHERE x.org_id = org AND x.post_id = ANY (ids);
        DELETE FROM post_mention x WHERE x.org_id = org AND x.post_id = ANY (ids);
        DELETE FROM post_hashtag x WHERE x.org_id = org AND x.post_id = ANY (ids);
        DELETE FROM post_reaction x WHERE x.org_id = org AND x.post_id = ANY (ids);
        DELETE FROM post_version x WHERE x.org_id = org AND x.post_id = ANY (ids);
        -- Replies before roots (threads are one level deep).
        DELETE FROM post x WHERE x.org_id = org AND x.id = ANY (ids) AND x.parent_id IS NOT NULL;
        DELETE FROM post x WHERE x.org_id = org AND x.id = ANY (ids);
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION retention_purge_posts(uuid[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION retention_purge_posts(uuid[]) TO chorus_app`);

    await q.query(`
      CREATE TABLE retention_sweep (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        trigger text NOT NULL,
        requested_by uuid,
        status text NOT NULL DEFAULT 'running',
        started_at timestamptz NOT NULL DEFAULT now(),
        progress_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        error text,
        CONSTRAINT retention_sweep_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT retention_sweep_org_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT retention_sweep_requested_by_fkey FOREIGN KEY (org_id, requested_by) REFERENCES user_account (org_id, id),
        CONSTRAINT retention_sweep_trigger_check CHECK (trigger IN ('schedule', 'manual')),
        CONSTRAINT retention_sweep_status_check CHECK (status IN ('running', 'completed', 'interrupted', 'failed'))
      )`);
    await q.query(`CREATE INDEX retention_sweep_list_idx ON retention_sweep (org_id, started_at, id)`);

    // Ed25519 key that signs an org's export manifests; the private half sealed with SECRETS_KEY.
    await q.query(`
      CREATE TABLE export_signing_key (
        org_id uuid NOT NULL,
        public_key text NOT NULL,
        private_key_sealed text NOT NULL,
        fingerprint text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT export_signing_key_pkey PRIMARY KEY (org_id),
        CONSTRAINT export_signing_key_org_fkey FOREIGN KEY (org_id) REFERENCES org (id)
      )`);

    await q.query(`
      CREATE TABLE compliance_export (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        requested_by uuid NOT NULL,
        filters jsonb NOT NULL,
        formats text[] NOT NULL,
        status text NOT NULL DEFAULT 'queued',
        percent integer NOT NULL DEFAULT 0,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        attempts integer NOT NULL DEFAULT 0,
        host text,
        error text,
        file_key text,
        size_bytes bigint,
        sha256 text,
        manifest_sha256 text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        progress_at timestamptz,
        completed_at timestamptz,
        expires_at timestamptz,
        CONSTRAINT compliance_export_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT compliance_export_org_fkey FOREIGN KEY (org_id) REFERENCES org (id),
        CONSTRAINT compliance_export_requested_by_fkey FOREIGN KEY (org_id, requested_by) REFERENCES user_account (org_id, id),
        CONSTRAINT compliance_export_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed', 'expired')),
        CONSTRAINT compliance_export_percent_check CHECK (percent BETWEEN 0 AND 100),
        CONSTRAINT compliance_export_complete_check CHECK (status <> 'completed' OR (file_key IS NOT NULL AND sha256 IS NOT NULL AND completed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX compliance_export_list_idx ON compliance_export (org_id, created_at, id)`);
    await q.query(`CREATE INDEX compliance_export_expiry_idx ON compliance_export (org_id, expires_at) WHERE status = 'completed'`);

    for (const table of ['retention_policy', 'group_retention_policy', 'legal_hold', 'storage_gc', 'retention_sweep', 'export_signing_key', 'compliance_export']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_org_isolation ON ${table}
        USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON retention_policy, legal_hold, retention_sweep, compliance_export TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON group_retention_policy TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT ON export_signing_key TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON storage_gc TO chorus_app`);
    // Uploads never attached to a post are removed by the sweep after a day.
    await q.query(`GRANT DELETE ON attachment TO chorus_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE DELETE ON attachment FROM chorus_app`);
    for (const table of ['compliance_export', 'export_signing_key', 'retention_sweep', 'storage_gc', 'group_retention_policy', 'retention_policy']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION retention_purge_posts(uuid[])`);
    await q.query(`DROP TRIGGER post_version_refuse_held_delete ON post_version`);
    await q.query(`DROP TRIGGER post_refuse_held_delete ON post`);
    await q.query(`DROP FUNCTION post_refuse_held_delete()`);
    await q.query(`DROP FUNCTION legal_hold_refresh()`);
    await q.query(`DROP TRIGGER post_hold_replies ON post`);
    await q.query(`DROP FUNCTION post_hold_replies()`);
    await q.query(`DROP TRIGGER post_mark_hold_edit ON post`);
    await q.query(`DROP TRIGGER post_mark_hold_insert ON post`);
    await q.query(`DROP FUNCTION post_mark_hold()`);
    await q.query(`DROP FUNCTION legal_hold_posts(uuid[])`);
    await q.query(`DROP FUNCTION legal_hold_covers(legal_hold, uuid, uuid, timestamptz, text)`);
    await q.query(`DROP TABLE legal_hold`);
    await q.query(`DROP FUNCTION legal_hold_patterns()`);
    for (const index of ['attachment_unattached_idx', 'notification_post_idx', 'post_parent_idx', 'post_on_hold_idx', 'post_deleted_purge_idx', 'post_retention_idx', 'post_created_idx']) {
      await q.query(`DROP INDEX ${index}`);
    }
    await q.query(`ALTER TABLE post DROP CONSTRAINT post_provenance_check, DROP COLUMN provenance, DROP COLUMN on_hold`);
  }
}
