import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The email bridge: a durable inbox of accepted messages (raw MIME stored before the sender's MTA
 * gets its 250, unique per Message-ID and target so redelivery never posts twice), per-recipient
 * reply tokens (hashed), optional secret posting addresses per group (hashed), a transactional
 * outbox of notification, digest and bounce emails, and each user's email preferences.
 */
export class Email1795450000000 implements MigrationInterface {
  name = 'Email1795450000000';

  async up(q: QueryRunner): Promise<void> {
    // A group's posting address is its name folded to [a-z0-9-]: "R&D Europe" -> r-d-europe@<org>.<domain>.
    await q.query(`
      CREATE FUNCTION email_local_part(p_name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
      $$ SELECT btrim(regexp_replace(lower(p_name), '[^a-z0-9]+', '-', 'g'), '-') $$`);
    await q.query(`CREATE INDEX org_group_email_local_idx ON org_group (org_id, email_local_part(name))`);

    await q.query(`
      CREATE TABLE email_group_secret (
        org_id uuid NOT NULL,
        group_id uuid NOT NULL,
        secret_hash bytea NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT email_group_secret_pkey PRIMARY KEY (org_id, group_id),
        CONSTRAINT email_group_secret_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT email_group_secret_created_by_fkey FOREIGN KEY (org_id, created_by) REFERENCES user_account (org_id, id)
      )`);

    await q.query(`
      CREATE TABLE email_reply_token (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL,
        user_id uuid NOT NULL,
        post_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT email_reply_token_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT email_reply_token_hash_key UNIQUE (org_id, token_hash),
        CONSTRAINT email_reply_token_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id),
        CONSTRAINT email_reply_token_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id)
      )`);
    await q.query(`CREATE INDEX email_reply_token_post_idx ON email_reply_token (org_id, post_id)`);
    await q.query(`CREATE INDEX email_reply_token_expires_idx ON email_reply_token (org_id, expires_at)`);

    await q.query(`
      CREATE TABLE email_inbound (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        message_id text NOT NULL,
        target_key text NOT NULL,
        channel text NOT NULL,
        envelope_from text,
        from_address text NOT NULL,
        user_id uuid NOT NULL,
        group_id uuid,
        reply_token_id uuid,
        parent_post_id uuid,
        raw bytea NOT NULL,
        raw_sha256 bytea NOT NULL,
        auth jsonb NOT NULL,
        remote_ip text,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        error_code text,
        error text,
        attachment_ids uuid[] NOT NULL DEFAULT '{}',
        post_id uuid,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT email_inbound_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT email_inbound_dedupe_key UNIQUE (org_id, message_id, target_key),
        CONSTRAINT email_inbound_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id),
        CONSTRAINT email_inbound_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT email_inbound_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id),
        CONSTRAINT email_inbound_channel_check CHECK (channel IN ('smtp', 'webhook')),
        CONSTRAINT email_inbound_status_check CHECK (status IN ('pending', 'done', 'failed')),
        CONSTRAINT email_inbound_target_check CHECK (group_id IS NULL OR parent_post_id IS NULL),
        CONSTRAINT email_inbound_message_id_check CHECK (length(message_id) BETWEEN 1 AND 1000)
      )`);
    await q.query(`CREATE INDEX email_inbound_pending_idx ON email_inbound (received_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX email_inbound_post_idx ON email_inbound (org_id, post_id) WHERE post_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE email_outbox (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        dedupe_key text NOT NULL,
        kind text NOT NULL,
        user_id uuid,
        to_address text NOT NULL,
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        error text,
        message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT email_outbox_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT email_outbox_dedupe_key UNIQUE (org_id, dedupe_key),
        CONSTRAINT email_outbox_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id),
        CONSTRAINT email_outbox_kind_check CHECK (kind IN ('mention', 'reply', 'digest', 'bounce')),
        CONSTRAINT email_outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'skipped'))
      )`);
    await q.query(`CREATE INDEX email_outbox_pending_idx ON email_outbox (created_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX email_outbox_created_idx ON email_outbox (org_id, created_at)`);

    await q.query(`
      CREATE TABLE email_preference (
        org_id uuid NOT NULL,
        user_id uuid NOT NULL,
        mentions boolean NOT NULL DEFAULT true,
        replies boolean NOT NULL DEFAULT true,
        digest boolean NOT NULL DEFAULT false,
        last_digest_on date,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT email_preference_pkey PRIMARY KEY (org_id, user_id),
        CONSTRAINT email_preference_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id)
      )`);
    await q.query(`CREATE INDEX email_preference_digest_idx ON email_preference (org_id) WHERE digest`);

    // Mentions and replies not yet turned into an email are found by the requeue job.
    await q.query(`CREATE INDEX notification_email_idx ON notification (created_at) WHERE kind IN ('mention', 'reply')`);

    for (const table of ['email_group_secret', 'email_reply_token', 'email_inbound', 'email_outbox', 'email_preference']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_org_isolation ON ${table}
        USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON email_group_secret, email_preference TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON email_reply_token TO chorus_app`);
    // DELETE only for housekeeping of messages that never became posts (see EmailRequeueService).
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON email_inbound TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON email_outbox TO chorus_app`);

    // Work stored but never done because its job was lost (the process died between the commit
    // and the enqueue): pending inbound messages, pending outbound emails, and mentions or replies
    // (of the last day) that never got their email decided. Found across orgs by the requeue job.
    await q.query(`
      CREATE FUNCTION email_stale_work(p_older_than_seconds integer, p_limit integer)
      RETURNS TABLE (kind text, org_id uuid, id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $$ (SELECT 'inbound', i.org_id, i.id FROM email_inbound i
          WHERE i.status = 'pending' AND i.received_at < now() - make_interval(secs => p_older_than_seconds)
          ORDER BY i.received_at LIMIT p_limit)
         UNION ALL
         (SELECT 'outbox', o.org_id, o.id FROM email_outbox o
          WHERE o.status = 'pending' AND o.created_at < now() - make_interval(secs => p_older_than_seconds)
          ORDER BY o.created_at LIMIT p_limit)
         UNION ALL
         (SELECT DISTINCT 'notify', n.org_id, n.post_id FROM notification n
          WHERE n.kind IN ('mention', 'reply')
            AND n.created_at BETWEEN now() - interval '1 day' AND now() - make_interval(secs => p_older_than_seconds)
            AND NOT EXISTS (SELECT 1 FROM email_outbox o WHERE o.org_id = n.org_id AND o.dedupe_key = 'notify:' || n.id)
          LIMIT p_limit) $$`);
    await q.query(`REVOKE ALL ON FUNCTION email_stale_work(integer, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION email_stale_work(integer, integer) TO chorus_app`);

    // A purged post takes its email traces with it (the raw message, reply tokens); held posts are never purged.
    await q.query(`
      CREATE FUNCTION retention_forget_email() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS
      $$ BEGIN
        DELETE FROM email_inbound WHERE org_id = OLD.org_id AND post_id = OLD.id;
        DELETE FROM email_reply_token WHERE org_id = OLD.org_id AND post_id = OLD.id;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER post_forget_email BEFORE DELETE ON post FOR EACH ROW EXECUTE FUNCTION retention_forget_email()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER post_forget_email ON post`);
    await q.query(`DROP FUNCTION retention_forget_email()`);
    await q.query(`DROP FUNCTION email_stale_work(integer, integer)`);
    await q.query(`DROP INDEX notification_email_idx`);
    for (const table of ['email_preference', 'email_outbox', 'email_inbound', 'email_reply_token', 'email_group_secret']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP INDEX org_group_email_local_idx`);
    await q.query(`DROP FUNCTION email_local_part(text)`);
  }
}
