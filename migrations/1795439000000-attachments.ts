import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments: files uploaded first (post_id NULL), then attached to one post when it is
 * created. The bytes live in AttachmentStorage under storage_key; the row records what the
 * server sniffed (content_type), never what the client declared. storage_key must sit under
 * the row's own org prefix, so a row can never point at another org's blob.
 */
export class Attachments1795439000000 implements MigrationInterface {
  name = 'Attachments1795439000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attachment (
        org_id uuid NOT NULL,
        id uuid NOT NULL,
        uploader_id uuid NOT NULL,
        post_id uuid,
        file_name text NOT NULL,
        content_type text NOT NULL,
        size_bytes integer NOT NULL,
        sha256 text NOT NULL,
        storage_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attached_at timestamptz,
        CONSTRAINT attachment_pkey PRIMARY KEY (org_id, id),
        CONSTRAINT attachment_uploader_fkey FOREIGN KEY (org_id, uploader_id) REFERENCES user_account (org_id, id),
        CONSTRAINT attachment_post_fkey FOREIGN KEY (org_id, post_id) REFERENCES post (org_id, id),
        CONSTRAINT attachment_file_name_check CHECK (length(file_name) BETWEEN 1 AND 255),
        CONSTRAINT attachment_size_bytes_check CHECK (size_bytes >= 0),
        CONSTRAINT attachment_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        CONSTRAINT attachment_storage_key_check CHECK (starts_with(storage_key, org_id::text || '/')),
        CONSTRAINT attachment_attached_check CHECK ((post_id IS NULL) = (attached_at IS NULL))
      )`);
    await q.query(`CREATE INDEX attachment_post_idx ON attachment (org_id, post_id) WHERE post_id IS NOT NULL`);

    await q.query(`ALTER TABLE attachment ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY attachment_org_isolation ON attachment
      USING (org_id = current_org_id()) WITH CHECK (org_id = current_org_id())`);
    // No DELETE: removing files (orphaned uploads, retention) is a job's business, granted later.
    await q.query(`GRANT SELECT, INSERT, UPDATE ON attachment TO chorus_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attachment`);
  }
}
