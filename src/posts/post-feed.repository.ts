import { Injectable } from '@nestjs/common';
import { attachmentsOfPostJson, type AttachmentView } from '../attachments/attachment.repository.js';
import type { OrgTx } from '../tenancy/tenant-database.js';
import { postVisibleTo } from './post-visibility.js';

/** A page key: (created_at at full precision as text, id). */
export type FeedKey = [string, string];

export interface FeedRow {
  id: string;
  cursorKey: string;
}

export interface PostItemRow {
  id: string;
  body: string;
  parentId: string | null;
  source: string;
  version: number;
  replyCount: number;
  createdAt: Date;
  editedAt: Date | null;
  pinnedAt: Date | null;
  author: { id: string; displayName: string; handle: string; title: string | null };
  group: { id: string; name: string; visibility: string } | null;
  reactions: Record<string, number>;
  myReactions: string[];
  /** createdAt as ISO 8601 text (it is built as JSON in the query). */
  attachments: (Omit<AttachmentView, 'createdAt'> & { createdAt: string })[];
}

const VISIBLE = postVisibleTo('$2');

/** Keyset condition on p for newest-first pages; $3/$4 are the last key (NULL on the first page). */
const BEFORE = `($3::timestamptz IS NULL OR (p.created_at, p.id) < ($3::timestamptz, $4::uuid))`;

/**
 * Timeline reads. Each stream first picks a page of ids with an index range scan (keyset on
 * (created_at, id) under a partial index), then one hydration query adds author, group,
 * reaction counts and my reactions for the whole page: no per-item queries.
 */
@Injectable()
export class PostFeedRepository {
  async company(tx: OrgTx, viewerId: string, after: FeedKey | null, limit: number): Promise<FeedRow[]> {
    return this.pick(tx, viewerId, after, limit, `p.group_id IS NULL AND p.parent_id IS NULL AND p.deleted_at IS NULL`);
  }

  /** The caller has checked the viewer may see the group. */
  async group(tx: OrgTx, viewerId: string, groupId: string, after: FeedKey | null, limit: number): Promise<FeedRow[]> {
    return this.pick(tx, viewerId, after, limit, `p.group_id = $6 AND p.parent_id IS NULL AND p.deleted_at IS NULL`, [groupId]);
  }

  async author(tx: OrgTx, viewerId: string, authorId: string, after: FeedKey | null, limit: number): Promise<FeedRow[]> {
    return this.pick(tx, viewerId, after, limit, `p.author_id = $6 AND p.parent_id IS NULL AND p.deleted_at IS NULL AND ${VISIBLE}`, [authorId]);
  }

  async hashtag(tx: OrgTx, viewerId: string, tag: string, after: FeedKey | null, limit: number): Promise<FeedRow[]> {
    return tx.query<FeedRow>(
      `SELECT p.id, p.created_at::text AS "cursorKey"
       FROM post_hashtag h JOIN post p ON p.org_id = h.org_id AND p.id = h.post_id
       WHERE h.org_id = $1 AND h.tag = $6 AND ($3::timestamptz IS NULL OR (h.created_at, h.post_id) < ($3::timestamptz, $4::uuid))
         AND p.deleted_at IS NULL AND ${VISIBLE}
       ORDER BY h.created_at DESC, h.post_id DESC LIMIT $5`,
      [tx.orgId, viewerId, after?.[0] ?? null, after?.[1] ?? null, limit, tag],
    );
  }

  async mentions(tx: OrgTx, viewerId: string, after: FeedKey | null, limit: number): Promise<FeedRow[]> {
    return tx.query<FeedRow>(
      `SELECT p.id, p.created_at::text AS "cursorKey"
       FROM post_mention m JOIN post p ON p.org_id = m.org_id AND p.id = m.post_id
       WHERE m.org_id = $1 AND m.user_id = $2 AND ($3::timestamptz IS NULL OR (m.created_at, m.post_id) < ($3::timestamptz, $4::uuid))
         AND p.deleted_at IS NULL AND ${VISIBLE}
       ORDER BY m.created_at DESC, m.post_id DESC LIMIT $5`,
      [tx.orgId, viewerId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  /**
   * Home: company stream + my groups + people I follow + posts mentioning me. Each source is an
   * index-backed LIMIT of its own (LATERAL per group and per followee), merged and cut to the
   * page: never one big OR query, which cannot use the stream indexes.
   *
   * The company stream goes first and bounds the rest: when it fills a page by itself, nothing
   * older than its last item can be on the page, so every other source scans only from that
   * time on (`floor`). With ~50 followees and a dozen groups that turns ~60 scans of a page each
   * into ~60 index probes that mostly find nothing. When the company stream is quiet the floor is
   * -infinity and every source reads a full page, as before.
   */
  async home(tx: OrgTx, viewerId: string, after: FeedKey | null, limit: number): Promise<FeedRow[]> {
    const roots = `p.parent_id IS NULL AND p.deleted_at IS NULL AND ${BEFORE}`;
    const fresh = `p.created_at >= (SELECT at FROM floor)`;
    return tx.query<FeedRow>(
      `WITH company AS MATERIALIZED (
         SELECT p.id, p.created_at FROM post p
         WHERE p.org_id = $1 AND p.group_id IS NULL AND ${roots}
         ORDER BY p.created_at DESC, p.id DESC LIMIT $5
       ),
       floor AS (SELECT CASE WHEN count(*) >= $5 THEN min(created_at) ELSE '-infinity'::timestamptz END AS at FROM company),
       candidates AS (
         SELECT id, created_at FROM company
         UNION
         (SELECT p.id, p.created_at
          FROM group_membership gm
          CROSS JOIN LATERAL (SELECT p.id, p.created_at FROM post p
            WHERE p.org_id = $1 AND p.group_id = gm.group_id AND ${roots} AND ${fresh}
            ORDER BY p.created_at DESC, p.id DESC LIMIT $5) p
          WHERE gm.org_id = $1 AND gm.user_id = $2)
         UNION
         (SELECT p.id, p.created_at
          FROM user_follow f
          CROSS JOIN LATERAL (SELECT p.id, p.created_at FROM post p
            WHERE p.org_id = $1 AND p.author_id = f.followee_id AND ${roots} AND ${fresh} AND ${VISIBLE}
            ORDER BY p.created_at DESC, p.id DESC LIMIT $5) p
          WHERE f.org_id = $1 AND f.follower_id = $2)
         UNION
         (SELECT p.id, p.created_at
          FROM post_mention m JOIN post p ON p.org_id = m.org_id AND p.id = m.post_id
          WHERE m.org_id = $1 AND m.user_id = $2 AND m.created_at >= (SELECT at FROM floor)
            AND p.deleted_at IS NULL AND ${BEFORE} AND ${VISIBLE}
          ORDER BY m.created_at DESC, m.post_id DESC LIMIT $5)
       )
       SELECT id, created_at::text AS "cursorKey" FROM candidates ORDER BY created_at DESC, id DESC LIMIT $5`,
      [tx.orgId, viewerId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  /**
   * Announcements pinned in the company stream (`company`), in these groups (the caller passes
   * only groups the viewer may see) and, for home, in every group `memberOf` belongs to; most
   * recently pinned first. One query either way.
   */
  async pinned(tx: OrgTx, scope: { company: boolean; groupIds?: string[]; memberOf?: string }): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `SELECT p.id FROM post p
       WHERE p.org_id = $1 AND p.pinned_at IS NOT NULL AND p.deleted_at IS NULL
         AND ((p.group_id IS NULL AND $2::boolean) OR p.group_id = ANY($3::uuid[])
           OR p.group_id IN (SELECT gm.group_id FROM group_membership gm WHERE gm.org_id = $1 AND gm.user_id = $4::uuid))
       ORDER BY p.pinned_at DESC, p.id DESC LIMIT 10`,
      [tx.orgId, scope.company, scope.groupIds ?? [], scope.memberOf ?? null],
    );
    return rows.map((r) => r.id);
  }

  /** Replies of a root, oldest first. */
  async replies(tx: OrgTx, rootId: string, after: FeedKey | null, limit: number): Promise<FeedRow[]> {
    return tx.query<FeedRow>(
      `SELECT p.id, p.created_at::text AS "cursorKey" FROM post p
       WHERE p.org_id = $1 AND p.parent_id = $2 AND p.deleted_at IS NULL
         AND ($3::timestamptz IS NULL OR (p.created_at, p.id) > ($3::timestamptz, $4::uuid))
       ORDER BY p.created_at, p.id LIMIT $5`,
      [tx.orgId, rootId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  /** The page's posts with everything a stream item shows (attachments too), in the order of `ids`: one query. */
  async hydrate(tx: OrgTx, viewerId: string, ids: string[]): Promise<PostItemRow[]> {
    if (ids.length === 0) return [];
    return tx.query<PostItemRow>(
      `SELECT p.id, p.body, p.parent_id AS "parentId", p.source, p.version, p.reply_count AS "replyCount",
              p.created_at AS "createdAt", p.edited_at AS "editedAt", p.pinned_at AS "pinnedAt",
              json_build_object('id', u.id, 'displayName', u.display_name, 'handle', u.handle, 'title', u.title) AS author,
              CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('id', g.id, 'name', g.name, 'visibility', g.visibility) END AS "group",
              coalesce((SELECT jsonb_object_agg(kind, n) FROM (
                 SELECT r.kind, count(*) AS n FROM post_reaction r WHERE r.org_id = p.org_id AND r.post_id = p.id GROUP BY r.kind) c), '{}'::jsonb) AS reactions,
              coalesce((SELECT array_agg(r.kind ORDER BY r.kind) FROM post_reaction r
                 WHERE r.org_id = p.org_id AND r.post_id = p.id AND r.user_id = $2), '{}') AS "myReactions",
              ${attachmentsOfPostJson('p')} AS attachments
       FROM unnest($3::uuid[]) WITH ORDINALITY AS page(id, n)
       JOIN post p ON p.org_id = $1 AND p.id = page.id
       JOIN user_account u ON u.org_id = p.org_id AND u.id = p.author_id
       LEFT JOIN org_group g ON g.org_id = p.org_id AND g.id = p.group_id
       ORDER BY page.n`,
      [tx.orgId, viewerId, ids],
    );
  }

  private pick(tx: OrgTx, viewerId: string, after: FeedKey | null, limit: number, where: string, extra: unknown[] = []): Promise<FeedRow[]> {
    return tx.query<FeedRow>(
      `SELECT p.id, p.created_at::text AS "cursorKey" FROM post p
       WHERE p.org_id = $1 AND ${where} AND ${BEFORE} AND $2::uuid IS NOT NULL
       ORDER BY p.created_at DESC, p.id DESC LIMIT $5`,
      [tx.orgId, viewerId, after?.[0] ?? null, after?.[1] ?? null, limit, ...extra],
    );
  }
}
