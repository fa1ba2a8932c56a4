import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../tenancy/tenant-database.js';

@Injectable()
export class FollowRepository {
  async follow(tx: OrgTx, followerId: string, followeeId: string): Promise<void> {
    await tx.query(`INSERT INTO user_follow (org_id, follower_id, followee_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      tx.orgId,
      followerId,
      followeeId,
    ]);
  }

  async unfollow(tx: OrgTx, followerId: string, followeeId: string): Promise<void> {
    await tx.query(`DELETE FROM user_follow WHERE org_id = $1 AND follower_id = $2 AND followee_id = $3`, [tx.orgId, followerId, followeeId]);
  }

  /** Whether the viewer follows the user, and how many follow them and whom they follow. */
  async status(tx: OrgTx, viewerId: string, userId: string): Promise<{ following: boolean; followers: number; followees: number }> {
    const rows = await tx.query<{ following: boolean; followers: number; followees: number }>(
      `SELECT EXISTS (SELECT 1 FROM user_follow WHERE org_id = $1 AND follower_id = $2 AND followee_id = $3) AS following,
              (SELECT count(*)::int FROM user_follow WHERE org_id = $1 AND followee_id = $3) AS followers,
              (SELECT count(*)::int FROM user_follow WHERE org_id = $1 AND follower_id = $3) AS followees`,
      [tx.orgId, viewerId, userId],
    );
    return rows[0];
  }
}
