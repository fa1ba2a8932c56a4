import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Posts, their versions, mentions, hashtags, reactions and follows. Stream indexes lead with
 * org_id and end (created_at, id) so every stream is an index range scan under keyset paging.
 * Replies are one level deep: parent_id always names a root post. Deletes are soft (deleted_at):
 * content stays for compliance. Indexes are created plainly: the tables are new and empty.
 */
export class Posts1795438000000 implements MigrationInterface {
  name = 'Posts1795438000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE post (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        author_id uuid NOT NULL,
        group_id uuid,
        parent_id uuid,
        body text NOT NULL,
        source text NOT NULL DEFAULT 'web',
        source_ref text,
        version integer NOT NULL DEFAULT 1,
        reply_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        edited_at timestamptz,
        deleted_at timestamptz,
        deleted_by uuid,
        search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
        CONSTRAINT post_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT post_author_fkey FOREIGN KEY (org_id, author_id) REFERENCES user_account (org_id, id),
        CONSTRAINT post_group_fkey FOREIGN KEY (org_id, group_id) REFERENCES org_group (org_id, id),
        CONSTRAINT post_parent_fkey FOREIGN KEY (org_id, parent_id) REFERENCES post (org_id, id),
        CONSTRAINT post_source_check CHECK (source IN ('web', 'api', 'email', 'slack')),
        CONSTRAINT post_body_check CHECK (length(body) BETWEEN 1 AND 20000),
        CONSTRAINT post_not_own_parent_check CHECK (parent_id IS NULL OR parent_id <> id)
      )`);
    await q.query(`CREATE INDEX post_company_stream_idx ON post (org_id, created_at, id)
      WHERE group_id IS NULL AND parent_id IS NULL AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX post_group_stream_idx ON post (org_id, group_id, created_at, id)
      WHERE parent_id IS NULL AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX post_author_stream_idx ON post (org_id, author_id, created_at, id)
      WHERE parent_id IS NULL AND deleted_at IS NULL`);
    await q.query(`CREATE INDEX post_thread_idx ON post (org_id, parent_id, created_at, id) WHERE parent_id IS NOT NULL`);
    await q.query(`CREATE INDEX post_search_idx ON post USING gin (search)`);
    await q.query(`CREATE UNIQUE INDEX post_source_ref_key ON post (org_id, source, source_ref) WHERE source_ref IS NOT NULL`);

    await q.query(`
      CREATE TABLE post_version (
        org_id uuid NOT NULL,
        post_id uuid NOT NULL,
        version integer NOT NULL,
        body text NOT NULL,
        edited_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT post_version_pkey PRIMARY KEY (org_id, post_id, version),
        CONSTRAINT post_version_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id)
      )`);

    await q.query(`
      CREATE TABLE post_mention (
        org_id uuid NOT NULL,
        post_id uuid NOT NULL,
        user_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT post_mention_pkey PRIMARY KEY (org_id, post_id, user_id),
        CONSTRAINT post_mention_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id),
        CONSTRAINT post_mention_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id)
      )`);
    await q.query(`CREATE INDEX post_mention_stream_idx ON post_mention (org_id, user_id, created_at, post_id)`);

    await q.query(`
      CREATE TABLE post_hashtag (
        org_id uuid NOT NULL,
        post_id uuid NOT NULL,
        tag text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT post_hashtag_pkey PRIMARY KEY (org_id, post_id, tag),
        CONSTRAINT post_hashtag_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id),
        CONSTRAINT post_hashtag_tag_check CHECK (tag = lower(tag) AND length(tag) BETWEEN 1 AND 64)
      )`);
    await q.query(`CREATE INDEX post_hashtag_stream_idx ON post_hashtag (org_id, tag, created_at, post_id)`);

    await q.query(`
      CREATE TABLE post_reaction (
        org_id uuid NOT NULL,
        post_id uuid NOT NULL,
        user_id uuid NOT NULL,
        kind text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT post_reaction_pkey PRIMARY KEY (org_id, post_id, user_id, kind),
        CONSTRAINT post_reaction_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id),
        CONSTRAINT post_reaction_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES user_account (org_id, id),
        CONSTRAINT post_reaction_kind_check CHECK (kind IN ('like', 'celebrate', 'insightful', 'support', 'laugh', 'question'))
      )`);

    await q.query(`
      CREATE TABLE user_follow (
        org_id uuid NOT NULL,
        follower_id uuid NOT NULL,
        followee_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_follow_pkey PRIMARY KEY (org_id, follower_id, followee_id),
        CONSTRAINT user_follow_follower_fkey FOREIGN KEY (org_id, follower_id) REFERENCES user_account (org_id, id),
        CONSTRAINT user_follow_followee_fkey FOREIGN KEY (org_id, followee_id) REFERENCES user_account (org_id, id),
        CONSTRAINT user_follow_not_self_check CHECK (follower_id <> followee_id)
      )`);
    await q.query(`CREATE INDEX user_follow_followee_idx ON user_follow (org_id, followee_id, follower_id)`);

    for (const table of ['post', 'post_version', 'post_mention', 'post_hashtag', 'post_reaction', 'user_follow']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_org_isolation ON ${table}
        USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    }
    // Versions are history: the app may add them, never change them. Deletion is the retention
    // job's business (a later migration grants it), not the request path's.
    await q.query(`GRANT SELECT, INSERT, UPDATE ON post TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT ON post_version TO chorus_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON post_mention, post_hashtag, post_reaction, user_follow TO chorus_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['user_follow', 'post_reaction', 'post_hashtag', 'post_mention', 'post_version', 'post']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
