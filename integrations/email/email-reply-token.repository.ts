import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../src/tenancy/tenant-database.js';
import { hashAddressToken, newAddressToken } from './email-addresses.js';

export interface ReplyTokenRow {
  id: string;
  userId: string;
  postId: string;
  expiresAt: Date;
}

/**
 * Reply-by-email tokens: one per recipient and post, bound to that user, expiring, stored as
 * SHA-256. The token itself travels only in the notification's Reply-To address.
 */
@Injectable()
export class EmailReplyTokenRepository {
  /** A new token for `userId` answering `postId` (the thread's root), valid for `days`. */
  async create(tx: OrgTx, userId: string, postId: string, days: number): Promise<string> {
    const token = newAddressToken();
    await tx.query(
      `INSERT INTO email_reply_token (org_id, token_hash, user_id, post_id, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))`,
      [tx.orgId, hashAddressToken(token), userId, postId, days],
    );
    return token;
  }

  /** The live (unexpired) token, or null. */
  async findLive(tx: OrgTx, token: string): Promise<ReplyTokenRow | null> {
    const rows = await tx.query<ReplyTokenRow>(
      `SELECT id, user_id AS "userId", post_id AS "postId", expires_at AS "expiresAt"
       FROM email_reply_token WHERE org_id = $1 AND token_hash = $2 AND expires_at > now()`,
      [tx.orgId, hashAddressToken(token)],
    );
    return rows[0] ?? null;
  }

  async deleteExpired(tx: OrgTx): Promise<number> {
    const rows = await tx.query(`DELETE FROM email_reply_token WHERE org_id = $1 AND expires_at < now() RETURNING id`, [tx.orgId]);
    return rows.length;
  }
}
