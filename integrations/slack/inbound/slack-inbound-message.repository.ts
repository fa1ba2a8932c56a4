import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

/** Which Chorus post a Slack message became (inbound side of slack_message). */
@Injectable()
export class SlackInboundMessageRepository {
  async postOf(tx: OrgTx, teamId: string, channelId: string, ts: string): Promise<string | null> {
    const rows = await tx.query<{ postId: string }>(
      `SELECT post_id AS "postId" FROM slack_message WHERE org_id = $1 AND team_id = $2 AND channel_id = $3 AND ts = $4`,
      [tx.orgId, teamId, channelId, ts],
    );
    return rows[0]?.postId ?? null;
  }

  async recordInbound(tx: OrgTx, teamId: string, channelId: string, ts: string, postId: string): Promise<void> {
    await tx.query(
      `INSERT INTO slack_message (org_id, team_id, channel_id, ts, post_id, direction) VALUES ($1, $2, $3, $4, $5, 'inbound')
       ON CONFLICT (org_id, team_id, channel_id, ts) DO NOTHING`,
      [tx.orgId, teamId, channelId, ts, postId],
    );
  }
}
