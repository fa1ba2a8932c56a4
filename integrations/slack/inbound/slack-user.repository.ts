import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export interface CachedSlackUser {
  email: string | null;
  userId: string | null;
}

/** The cache of Slack users' emails (users.info is rate-limited), fresher than `maxAgeSeconds`. */
@Injectable()
export class SlackUserRepository {
  async fresh(tx: OrgTx, teamId: string, slackUserId: string, maxAgeSeconds: number): Promise<CachedSlackUser | null> {
    const rows = await tx.query<CachedSlackUser>(
      `SELECT email, user_id AS "userId" FROM slack_user
       WHERE org_id = $1 AND team_id = $2 AND slack_user_id = $3 AND fetched_at > now() - make_interval(secs => $4)`,
      [tx.orgId, teamId, slackUserId, maxAgeSeconds],
    );
    return rows[0] ?? null;
  }

  async upsert(tx: OrgTx, teamId: string, slackUserId: string, email: string | null, userId: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO slack_user (org_id, team_id, slack_user_id, email, user_id, fetched_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (org_id, team_id, slack_user_id) DO UPDATE SET email = EXCLUDED.email, user_id = EXCLUDED.user_id, fetched_at = now()`,
      [tx.orgId, teamId, slackUserId, email, userId],
    );
  }

  /** The Chorus account the cached email resolved to, for operators reading the table. */
  async setUser(tx: OrgTx, teamId: string, slackUserId: string, userId: string): Promise<void> {
    await tx.query(
      `UPDATE slack_user SET user_id = $4 WHERE org_id = $1 AND team_id = $2 AND slack_user_id = $3 AND user_id IS DISTINCT FROM $4`,
      [tx.orgId, teamId, slackUserId, userId],
    );
  }
}
