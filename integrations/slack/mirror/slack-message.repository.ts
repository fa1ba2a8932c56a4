import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export interface SlackMessageRow {
  teamId: string;
  channelId: string;
  ts: string;
  direction: 'inbound' | 'outbound';
}

/** slack_message, the mirror's side of it: which Slack messages a post is, in which channel. */
@Injectable()
export class SlackMessageRepository {
  async ofPost(tx: OrgTx, postId: string): Promise<SlackMessageRow[]> {
    return tx.query<SlackMessageRow>(
      `SELECT team_id AS "teamId", channel_id AS "channelId", ts, direction FROM slack_message
       WHERE org_id = $1 AND post_id = $2 ORDER BY created_at, ts`,
      [tx.orgId, postId],
    );
  }

  /**
   * Serialises mirror attempts of one post into one channel until the transaction ends, so two
   * runs of the same job (a retry racing a late original) cannot both post.
   */
  async lockPostChannel(tx: OrgTx, postId: string, teamId: string, channelId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`slack-mirror:${tx.orgId}:${postId}:${teamId}:${channelId}`]);
  }

  async insertOutbound(tx: OrgTx, teamId: string, channelId: string, ts: string, postId: string): Promise<void> {
    await tx.query(
      `INSERT INTO slack_message (org_id, team_id, channel_id, ts, post_id, direction) VALUES ($1, $2, $3, $4, $5, 'outbound')
       ON CONFLICT ON CONSTRAINT slack_message_pkey DO NOTHING`,
      [tx.orgId, teamId, channelId, ts, postId],
    );
  }

  /** Where the post came from (committed with it) and whether it is deleted. */
  async origin(tx: OrgTx, postId: string): Promise<{ provenance: { kind?: string; team?: string; channel?: string } | null; deleted: boolean } | null> {
    const rows = await tx.query<{ provenance: { kind?: string; team?: string; channel?: string } | null; deleted: boolean }>(
      `SELECT provenance, deleted_at IS NOT NULL AS deleted FROM post WHERE org_id = $1 AND id = $2`,
      [tx.orgId, postId],
    );
    return rows[0] ?? null;
  }
}
