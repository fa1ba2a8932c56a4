import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retention purge, set-based all the way down. Measured on the 2,000,000-post benchmark
 * (bench/README.md): per-row triggers were half of a purge batch's time. The Slack and email
 * traces of purged posts are now deleted by retention_purge_posts itself (one statement each,
 * not one trigger call per post), and the legal-hold guard on post and post_version checks each
 * DELETE statement's rows at once (an AFTER … FOR EACH STATEMENT trigger over the deleted rows;
 * raising there undoes the whole statement, superusers included, exactly as before).
 */
export class RetentionPurgeSetBased1795451000000 implements MigrationInterface {
  name = 'RetentionPurgeSetBased1795451000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER post_forget_slack ON post`);
    await q.query(`DROP FUNCTION retention_forget_slack()`);
    await q.query(`DROP TRIGGER post_forget_email ON post`);
    await q.query(`DROP FUNCTION retention_forget_email()`);

    await q.query(`DROP TRIGGER post_refuse_held_delete ON post`);
    await q.query(`DROP TRIGGER post_version_refuse_held_delete ON post_version`);
    await q.query(`DROP FUNCTION post_refuse_held_delete()`);
    await q.query(`
      CREATE FUNCTION post_refuse_held_delete() RETURNS trigger LANGUAGE plpgsql AS
      $$ DECLARE held uuid;
      BEGIN
        IF TG_TABLE_NAME = 'post' THEN
          SELECT g.id INTO held FROM gone g WHERE g.on_hold LIMIT 1;
        ELSE
          SELECT g.post_id INTO held FROM gone g JOIN post p ON p.org_id = g.org_id AND p.id = g.post_id WHERE p.on_hold LIMIT 1;
        END IF;
        IF held IS NOT NULL THEN
          RAISE EXCEPTION 'post % is under legal hold', held USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER post_refuse_held_delete AFTER DELETE ON post REFERENCING OLD TABLE AS gone
      FOR EACH STATEMENT EXECUTE FUNCTION post_refuse_held_delete()`);
    await q.query(`CREATE TRIGGER post_version_refuse_held_delete AFTER DELETE ON post_version REFERENCING OLD TABLE AS gone
      FOR EACH STATEMENT EXECUTE FUNCTION post_refuse_held_delete()`);

    await q.query(purgeFunction(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(purgeFunction(false));
    await q.query(`DROP TRIGGER post_version_refuse_held_delete ON post_version`);
    await q.query(`DROP TRIGGER post_refuse_held_delete ON post`);
    await q.query(`DROP FUNCTION post_refuse_held_delete()`);
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
    await q.query(`
      CREATE FUNCTION retention_forget_slack() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
      $$ BEGIN
        DELETE FROM slack_message WHERE org_id = OLD.org_id AND post_id = OLD.id;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER post_forget_slack BEFORE DELETE ON post FOR EACH ROW EXECUTE FUNCTION retention_forget_slack()`);
    await q.query(`
      CREATE FUNCTION retention_forget_email() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
      $$ BEGIN
        DELETE FROM email_inbound WHERE org_id = OLD.org_id AND post_id = OLD.id;
        DELETE FROM email_reply_token WHERE org_id = OLD.org_id AND post_id = OLD.id;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER post_forget_email BEFORE DELETE ON post FOR EACH ROW EXECUTE FUNCTION retention_forget_email()`);
  }
}

/** retention_purge_posts, with (up) or without (down) the bridges' traces deleted in the function. */
function purgeFunction(withBridges: boolean): string {
  const bridges = withBridges
    ? `DELETE FROM slack_message x WHERE x.org_id = org AND x.post_id = ANY (ids);
        DELETE FROM email_inbound x WHERE x.org_id = org AND x.post_id = ANY (ids);
        DELETE FROM email_reply_token x WHERE x.org_id = org AND x.post_id = ANY (ids);`
    : '';
  return `
      CREATE OR REPLACE FUNCTION retention_purge_posts(p_ids uuid[])
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
        ${bridges}
        -- Replies before roots (threads are one level deep).
        DELETE FROM post x WHERE x.org_id = org AND x.id = ANY (ids) AND x.parent_id IS NOT NULL;
        DELETE FROM post x WHERE x.org_id = org AND x.id = ANY (ids);
      END $$`;
}
