import { Injectable } from '@nestjs/common';
import { postVisibleTo } from '../posts/post-visibility.js';
import type { OrgTx } from '../tenancy/tenant-database.js';

export type NotificationKind = 'mention' | 'reply' | 'reaction';

export interface NotificationRow {
  id: string;
  kind: NotificationKind;
  detail: string | null;
  createdAt: Date;
  readAt: Date | null;
  cursorKey: string;
  actor: { id: string; displayName: string; handle: string };
  post: { id: string; parentId: string | null; excerpt: string };
}

@Injectable()
export class NotificationRepository {
  /** Notifies each recipient who can see the post, never the actor, never twice for the same thing. */
  async insert(tx: OrgTx, recipients: string[], kind: NotificationKind, postId: string, actorId: string, detail: string | null): Promise<number> {
    if (recipients.length === 0) return 0;
    const rows = await tx.query(
      `INSERT INTO notification (org_id, user_id, kind, post_id, actor_id, detail)
       SELECT p.org_id, r.id, $3, p.id, $5, $6
       FROM post p CROSS JOIN unnest($2::uuid[]) AS r(id)
       WHERE p.org_id = $1 AND p.id = $4 AND r.id <> $5 AND ${postVisibleTo('r.id')}
       ON CONFLICT DO NOTHING RETURNING id`,
      [tx.orgId, recipients, kind, postId, actorId, detail],
    );
    return rows.length;
  }

  /** Newest first; notifications about posts since deleted or no longer visible are left out. */
  async list(tx: OrgTx, userId: string, unreadOnly: boolean, after: [string, string] | null, limit: number): Promise<NotificationRow[]> {
    return tx.query<NotificationRow>(
      `SELECT n.id, n.kind, n.detail, n.created_at AS "createdAt", n.read_at AS "readAt", n.created_at::text AS "cursorKey",
              json_build_object('id', a.id, 'displayName', a.display_name, 'handle', a.handle) AS actor,
              json_build_object('id', p.id, 'parentId', p.parent_id, 'excerpt', left(p.body, 140)) AS post
       FROM notification n
       JOIN post p ON p.org_id = n.org_id AND p.id = n.post_id
       JOIN user_account a ON a.org_id = n.org_id AND a.id = n.actor_id
       WHERE n.org_id = $1 AND n.user_id = $2 AND p.deleted_at IS NULL AND ${postVisibleTo('$2')}
         AND (NOT $3::boolean OR n.read_at IS NULL)
         AND ($4::timestamptz IS NULL OR (n.created_at, n.id) < ($4::timestamptz, $5::uuid))
       ORDER BY n.created_at DESC, n.id DESC LIMIT $6`,
      [tx.orgId, userId, unreadOnly, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  async unreadCount(tx: OrgTx, userId: string): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM notification n JOIN post p ON p.org_id = n.org_id AND p.id = n.post_id
       WHERE n.org_id = $1 AND n.user_id = $2 AND n.read_at IS NULL AND p.deleted_at IS NULL AND ${postVisibleTo('$2')}`,
      [tx.orgId, userId],
    );
    return rows[0].n;
  }

  async markRead(tx: OrgTx, userId: string, ids: string[] | null): Promise<number> {
    const rows = await tx.query(
      `UPDATE notification SET read_at = now()
       WHERE org_id = $1 AND user_id = $2 AND read_at IS NULL AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[])) RETURNING id`,
      [tx.orgId, userId, ids],
    );
    return rows.length;
  }
}
