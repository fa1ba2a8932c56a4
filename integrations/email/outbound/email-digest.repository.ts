import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export interface DigestPost {
  id: string;
  body: string;
  authorName: string;
  groupName: string;
  replyCount: number;
  createdAt: Date;
}

export const DIGEST_MAX_POSTS = 20;

/** The posts of a daily digest. */
@Injectable()
export class EmailDigestRepository {
  /** Newest root posts of the last 24 hours in the user's groups, not deleted, not the user's own. */
  async recentGroupPosts(tx: OrgTx, userId: string): Promise<DigestPost[]> {
    return tx.query<DigestPost>(
      `SELECT p.id, p.body, a.display_name AS "authorName", g.name AS "groupName", p.reply_count AS "replyCount", p.created_at AS "createdAt"
       FROM group_membership m
       JOIN org_group g ON g.org_id = m.org_id AND g.id = m.group_id
       JOIN post p ON p.org_id = m.org_id AND p.group_id = m.group_id
       JOIN user_account a ON a.org_id = p.org_id AND a.id = p.author_id
       WHERE m.org_id = $1 AND m.user_id = $2 AND p.parent_id IS NULL AND p.deleted_at IS NULL
         AND p.author_id <> $2 AND p.created_at > now() - interval '24 hours'
       ORDER BY p.created_at DESC, p.id DESC LIMIT $3`,
      [tx.orgId, userId, DIGEST_MAX_POSTS],
    );
  }
}
