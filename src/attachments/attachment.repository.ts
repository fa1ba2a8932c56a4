import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../tenancy/tenant-database.js';

/** What clients see of an attachment. */
export interface AttachmentView {
  id: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: Date;
}

/** The whole row, for the code that decides who may read it and then streams it. */
export interface AttachmentRow extends AttachmentView {
  uploaderId: string;
  postId: string | null;
  storageKey: string;
  attachedAt: Date | null;
}

export interface NewAttachment {
  id: string;
  uploaderId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
}

const VIEW = `id, file_name AS "fileName", content_type AS "contentType", size_bytes AS "sizeBytes", sha256, created_at AS "createdAt"`;
const ROW = `${VIEW}, uploader_id AS "uploaderId", post_id AS "postId", storage_key AS "storageKey", attached_at AS "attachedAt"`;

/**
 * A post's attachments as a JSON array (AttachmentView, createdAt as ISO 8601 text), oldest first:
 * the SQL expression a stream's hydration query embeds, so a page of posts and their files is one
 * round trip. `post` is the SQL alias of the post row.
 */
export const attachmentsOfPostJson = (post: string): string => `coalesce((SELECT json_agg(json_build_object(
    'id', a.id, 'fileName', a.file_name, 'contentType', a.content_type, 'sizeBytes', a.size_bytes, 'sha256', a.sha256,
    'createdAt', to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY a.created_at, a.id)
  FROM attachment a WHERE a.org_id = ${post}.org_id AND a.post_id = ${post}.id), '[]'::json)`;

/** The attachment table; nothing else reads or writes it (streams embed attachmentsOfPostJson). */
@Injectable()
export class AttachmentRepository {
  async insert(tx: OrgTx, a: NewAttachment): Promise<AttachmentView> {
    const rows = await tx.query<AttachmentView>(
      `INSERT INTO attachment (org_id, id, uploader_id, file_name, content_type, size_bytes, sha256, storage_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${VIEW}`,
      [tx.orgId, a.id, a.uploaderId, a.fileName, a.contentType, a.sizeBytes, a.sha256, a.storageKey],
    );
    return rows[0];
  }

  async find(tx: OrgTx, id: string): Promise<AttachmentRow | null> {
    const rows = await tx.query<AttachmentRow>(`SELECT ${ROW} FROM attachment WHERE org_id = $1 AND id = $2`, [tx.orgId, id]);
    return rows[0] ?? null;
  }

  /**
   * Attaches those of `ids` that the uploader owns and that are still unattached, and returns
   * their ids. Row locks make a concurrent attach of the same upload wait and then miss it.
   */
  async attachOwnUnattached(tx: OrgTx, uploaderId: string, postId: string, ids: string[]): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `UPDATE attachment SET post_id = $3, attached_at = now()
       WHERE org_id = $1 AND uploader_id = $2 AND id = ANY($4::uuid[]) AND post_id IS NULL
       RETURNING id`,
      [tx.orgId, uploaderId, postId, ids],
    );
    return rows.map((r) => r.id);
  }
}
