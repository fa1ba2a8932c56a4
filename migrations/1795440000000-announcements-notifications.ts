import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Announcements (a post pinned at the top of its stream until unpinned) and in-app
 * notifications (mentions, replies and reactions), newest first per recipient.
 */
export class AnnouncementsNotifications1795440000000 implements MigrationInterface {
  name = 'AnnouncementsNotifications1795440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE post ADD COLUMN pinned_at timestamptz, ADD COLUMN pinned_by uuid`);
    await q.query(`ALTER TABLE post ADD CONSTRAINT post_pinned_root_check CHECK (pinned_at IS NULL OR parent_id IS NULL)`);
    await q.query(`CREATE INDEX post_pinned_idx ON post (org_id, group_id, pinned_at) WHERE pinned_at IS NOT NULL AND deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE notification (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        kind text NOT NULL,
        post_id uuid NOT NULL,
        actor_id uuid NOT NULL,
        detail text,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        CONSTRAINT notification_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT notification_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id),
        CONSTRAINT notification_actor_fkey FOREIGN KEY (org_id, actor_id) REFERENCES user_account (org_id, id),
        CONSTRAINT notification_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id),
        CONSTRAINT notification_kind_check CHECK (kind IN ('mention', 'reply', 'reaction'))
      )`);
    await q.query(`CREATE INDEX notification_inbox_idx ON notification (org_id, user_id, created_at, id)`);
    await q.query(`CREATE INDEX notification_unread_idx ON notification (org_id, user_id) WHERE read_at IS NULL`);
    // One notification per (recipient, kind, post, actor, detail): re-reacting or re-editing never repeats it.
    await q.query(`CREATE UNIQUE INDEX notification_dedupe_key ON notification (org_id, user_id, kind, post_id, actor_id, coalesce(detail, ''))`);
    await q.query(`ALTER TABLE notification ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY notification_org_isolation ON notification
      USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON notification TO chorus_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification`);
    await q.query(`ALTER TABLE post DROP CONSTRAINT post_pinned_root_check`);
    await q.query(`DROP INDEX post_pinned_idx`);
    await q.query(`ALTER TABLE post DROP COLUMN pinned_at, DROP COLUMN pinned_by`);
  }
}
