import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../tenancy/tenant-database.js';

export type PostSource = 'web' | 'api' | 'email' | 'slack';
export const REACTION_KINDS = ['like', 'celebrate', 'insightful', 'support', 'laugh', 'question'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export interface PostRow {
  id: string;
  authorId: string;
  groupId: string | null;
  parentId: string | null;
  body: string;
  version: number;
  createdAt: Date;
  deletedAt: Date | null;
}

export interface VersionRow {
  version: number;
  body: string;
  editedBy: string;
  createdAt: Date;
}

const COLUMNS = `id, author_id AS "authorId", group_id AS "groupId", parent_id AS "parentId", body, version,
  created_at AS "createdAt", deleted_at AS "deletedAt"`;

/** Writes and single-post reads of the post tables; timelines live in PostFeedRepository. */
@Injectable()
export class PostRepository {
  async insert(
    tx: OrgTx,
    p: {
      authorId: string;
      groupId: string | null;
      parentId: string | null;
      body: string;
      source: PostSource;
      sourceRef: string | null;
      provenance?: Record<string, unknown> | null;
    },
  ): Promise<PostRow> {
    // The post and its version 1 in one statement (the version's foreign key is checked at its end).
    const rows = await tx.query<PostRow>(
      `WITH p AS (
         INSERT INTO post (org_id, author_id, group_id, parent_id, body, source, source_ref, provenance)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *
       ), v AS (
         INSERT INTO post_version (org_id, post_id, version, body, edited_by, created_at)
         SELECT org_id, id, 1, body, author_id, created_at FROM p
       )
       SELECT ${COLUMNS} FROM p`,
      [tx.orgId, p.authorId, p.groupId, p.parentId, p.body, p.source, p.sourceRef, p.provenance ? JSON.stringify(p.provenance) : null],
    );
    return rows[0];
  }

  async idBySource(tx: OrgTx, source: PostSource, sourceRef: string): Promise<string | null> {
    const rows = await tx.query<{ id: string }>(`SELECT id FROM post WHERE org_id = $1 AND source = $2 AND source_ref = $3`, [tx.orgId, source, sourceRef]);
    return rows[0]?.id ?? null;
  }

  async find(tx: OrgTx, id: string, forUpdate = false): Promise<PostRow | null> {
    const rows = await tx.query<PostRow>(`SELECT ${COLUMNS} FROM post WHERE org_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`, [
      tx.orgId,
      id,
    ]);
    return rows[0] ?? null;
  }

  async insertVersion(tx: OrgTx, postId: string, version: number, body: string, editedBy: string): Promise<void> {
    await tx.query(`INSERT INTO post_version (org_id, post_id, version, body, edited_by) VALUES ($1, $2, $3, $4, $5)`, [
      tx.orgId,
      postId,
      version,
      body,
      editedBy,
    ]);
  }

  async versions(tx: OrgTx, postId: string): Promise<VersionRow[]> {
    return tx.query<VersionRow>(
      `SELECT version, body, edited_by AS "editedBy", created_at AS "createdAt" FROM post_version
       WHERE org_id = $1 AND post_id = $2 ORDER BY version`,
      [tx.orgId, postId],
    );
  }

  async updateBody(tx: OrgTx, id: string, body: string, version: number): Promise<void> {
    await tx.query(`UPDATE post SET body = $3, version = $4, edited_at = now() WHERE org_id = $1 AND id = $2`, [tx.orgId, id, body, version]);
  }

  async softDelete(tx: OrgTx, id: string, by: string): Promise<void> {
    await tx.query(`UPDATE post SET deleted_at = now(), deleted_by = $3 WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, [tx.orgId, id, by]);
  }

  async setPinned(tx: OrgTx, id: string, by: string | null): Promise<void> {
    await tx.query(
      `UPDATE post SET pinned_at = CASE WHEN $3::uuid IS NULL THEN NULL ELSE coalesce(pinned_at, now()) END, pinned_by = $3
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, by],
    );
  }

  async adjustReplyCount(tx: OrgTx, rootId: string, delta: 1 | -1): Promise<void> {
    await tx.query(`UPDATE post SET reply_count = greatest(reply_count + $3, 0) WHERE org_id = $1 AND id = $2`, [tx.orgId, rootId, delta]);
  }

  /**
   * Sets the post's mentions and hashtags to exactly these, in one statement: rows no longer named
   * go, new ones come (existing ones stay untouched). Both copy the post's created_at (full
   * precision) so their streams page like the post's.
   */
  async replaceRefs(tx: OrgTx, post: Pick<PostRow, 'id'>, mentionIds: string[], tags: string[]): Promise<void> {
    await tx.query(
      `WITH gone_mentions AS (
         DELETE FROM post_mention WHERE org_id = $1 AND post_id = $2 AND user_id <> ALL ($3::uuid[])
       ), gone_tags AS (
         DELETE FROM post_hashtag WHERE org_id = $1 AND post_id = $2 AND tag <> ALL ($4::text[])
       ), new_mentions AS (
         INSERT INTO post_mention (org_id, post_id, user_id, created_at)
         SELECT p.org_id, p.id, u, p.created_at FROM post p, unnest($3::uuid[]) AS u WHERE p.org_id = $1 AND p.id = $2
         ON CONFLICT DO NOTHING
       )
       INSERT INTO post_hashtag (org_id, post_id, tag, created_at)
       SELECT p.org_id, p.id, t, p.created_at FROM post p, unnest($4::text[]) AS t WHERE p.org_id = $1 AND p.id = $2
       ON CONFLICT DO NOTHING`,
      [tx.orgId, post.id, mentionIds, tags],
    );
  }

  async addReaction(tx: OrgTx, postId: string, userId: string, kind: ReactionKind): Promise<void> {
    await tx.query(
      `INSERT INTO post_reaction (org_id, post_id, user_id, kind) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [tx.orgId, postId, userId, kind],
    );
  }

  async removeReaction(tx: OrgTx, postId: string, userId: string, kind: ReactionKind): Promise<void> {
    await tx.query(`DELETE FROM post_reaction WHERE org_id = $1 AND post_id = $2 AND user_id = $3 AND kind = $4`, [tx.orgId, postId, userId, kind]);
  }
}
