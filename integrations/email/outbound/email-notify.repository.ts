import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export interface NotifiedRecipient {
  notificationId: string;
  kind: 'mention' | 'reply';
  userId: string;
  email: string;
  displayName: string;
  active: boolean;
  mentions: boolean;
  replies: boolean;
}

export interface NotifyingPost {
  id: string;
  rootId: string;
  body: string;
  deleted: boolean;
  authorName: string;
  groupName: string | null;
}

/** What a notification email is made of: the post's mention and reply notifications and the post itself. */
@Injectable()
export class EmailNotifyRepository {
  /** Mention and reply notifications of the post, with each recipient's status and email preferences (defaults without a row). */
  async recipients(tx: OrgTx, postId: string): Promise<NotifiedRecipient[]> {
    return tx.query<NotifiedRecipient>(
      `SELECT n.id AS "notificationId", n.kind, n.user_id AS "userId", u.email, u.display_name AS "displayName",
              u.status = 'active' AS active, coalesce(ep.mentions, true) AS mentions, coalesce(ep.replies, true) AS replies
       FROM notification n
       JOIN user_account u ON u.org_id = n.org_id AND u.id = n.user_id
       LEFT JOIN email_preference ep ON ep.org_id = n.org_id AND ep.user_id = n.user_id
       WHERE n.org_id = $1 AND n.post_id = $2 AND n.kind IN ('mention', 'reply')
       ORDER BY n.created_at, n.id`,
      [tx.orgId, postId],
    );
  }

  async post(tx: OrgTx, postId: string): Promise<NotifyingPost | null> {
    const rows = await tx.query<NotifyingPost>(
      `SELECT p.id, coalesce(p.parent_id, p.id) AS "rootId", p.body, p.deleted_at IS NOT NULL AS deleted,
              a.display_name AS "authorName", g.name AS "groupName"
       FROM post p
       JOIN user_account a ON a.org_id = p.org_id AND a.id = p.author_id
       LEFT JOIN org_group g ON g.org_id = p.org_id AND g.id = p.group_id
       WHERE p.org_id = $1 AND p.id = $2`,
      [tx.orgId, postId],
    );
    return rows[0] ?? null;
  }
}
