import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export type EmailChannel = 'smtp' | 'webhook';
export type EmailInboundStatus = 'pending' | 'done' | 'failed';

export interface EmailAuthSummary {
  /** How the sender was trusted: an aligned DKIM signature, DMARC pass, or the group's secret address. */
  method: 'dkim' | 'dmarc' | 'secret-address';
  dkim: Array<{ domain: string; selector: string | null; result: string; aligned: boolean }>;
  dmarc: string | null;
  spf: string | null;
}

export interface NewInbound {
  messageId: string;
  targetKey: string;
  channel: EmailChannel;
  envelopeFrom: string | null;
  fromAddress: string;
  userId: string;
  groupId: string | null;
  replyTokenId: string | null;
  parentPostId: string | null;
  raw: Buffer;
  rawSha256: Buffer;
  auth: EmailAuthSummary;
  remoteIp: string | null;
}

export interface InboundRow {
  id: string;
  messageId: string;
  targetKey: string;
  channel: EmailChannel;
  fromAddress: string;
  userId: string;
  groupId: string | null;
  parentPostId: string | null;
  raw: Buffer;
  rawSha256: Buffer;
  auth: EmailAuthSummary;
  status: EmailInboundStatus;
  attempts: number;
  attachmentIds: string[];
  postId: string | null;
  receivedAt: Date;
}

const COLUMNS = `id, message_id AS "messageId", target_key AS "targetKey", channel, from_address AS "fromAddress", user_id AS "userId",
  group_id AS "groupId", parent_post_id AS "parentPostId", raw, raw_sha256 AS "rawSha256", auth, status, attempts,
  attachment_ids AS "attachmentIds", post_id AS "postId", received_at AS "receivedAt"`;

/** Accepted inbound email, raw, stored before the sender's MTA (or the provider) gets its answer. */
@Injectable()
export class EmailInboundRepository {
  /** The new row's id, or null when this Message-ID was accepted for this target before. */
  async insert(tx: OrgTx, m: NewInbound): Promise<string | null> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO email_inbound (org_id, message_id, target_key, channel, envelope_from, from_address, user_id, group_id,
                                  reply_token_id, parent_post_id, raw, raw_sha256, auth, remote_ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (org_id, message_id, target_key) DO NOTHING RETURNING id`,
      [
        tx.orgId,
        m.messageId,
        m.targetKey,
        m.channel,
        m.envelopeFrom,
        m.fromAddress,
        m.userId,
        m.groupId,
        m.replyTokenId,
        m.parentPostId,
        m.raw,
        m.rawSha256,
        JSON.stringify(m.auth),
        m.remoteIp,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /** A duplicate's earlier row when it is still pending (its job may have been lost): it gets a job again. */
  async pendingIdOf(tx: OrgTx, messageId: string, targetKey: string): Promise<string | null> {
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM email_inbound WHERE org_id = $1 AND message_id = $2 AND target_key = $3 AND status = 'pending'`,
      [tx.orgId, messageId, targetKey],
    );
    return rows[0]?.id ?? null;
  }

  /** Locked, and its attempt counted, so two runs of the same job never process it at once. */
  async claim(tx: OrgTx, id: string): Promise<InboundRow | null> {
    const rows = await tx.query<InboundRow>(
      `UPDATE email_inbound SET attempts = attempts + 1 WHERE org_id = $1 AND id = $2 AND status = 'pending' RETURNING ${COLUMNS}`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  async rememberAttachments(tx: OrgTx, id: string, attachmentIds: string[]): Promise<void> {
    await tx.query(`UPDATE email_inbound SET attachment_ids = $3 WHERE org_id = $1 AND id = $2`, [tx.orgId, id, attachmentIds]);
  }

  async settle(tx: OrgTx, id: string, s: { status: EmailInboundStatus; postId?: string | null; errorCode?: string | null; error?: string | null }): Promise<void> {
    await tx.query(
      `UPDATE email_inbound SET status = $3, post_id = coalesce($4, post_id), error_code = $5, error = $6,
              processed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, s.status, s.postId ?? null, s.errorCode ?? null, s.error ?? null],
    );
  }

  /** Messages that were refused after acceptance (never posts) are kept this many days for support, then deleted. */
  async deleteFailedBefore(tx: OrgTx, days: number): Promise<number> {
    const rows = await tx.query(
      `DELETE FROM email_inbound WHERE org_id = $1 AND status = 'failed' AND post_id IS NULL AND received_at < now() - make_interval(days => $2) RETURNING id`,
      [tx.orgId, days],
    );
    return rows.length;
  }
}

/** Posting addresses: groups found by their folded name, and their optional secret. */
@Injectable()
export class EmailAddressRepository {
  /** Open groups whose folded name is `local` (more than one means the address is ambiguous). */
  async groupsByLocal(tx: OrgTx, local: string): Promise<Array<{ id: string; name: string }>> {
    return tx.query<{ id: string; name: string }>(
      `SELECT id, name FROM org_group WHERE org_id = $1 AND email_local_part(name) = $2 AND archived_at IS NULL LIMIT 2`,
      [tx.orgId, local],
    );
  }

  async secretHash(tx: OrgTx, groupId: string): Promise<Buffer | null> {
    const rows = await tx.query<{ secretHash: Buffer }>(
      `SELECT secret_hash AS "secretHash" FROM email_group_secret WHERE org_id = $1 AND group_id = $2`,
      [tx.orgId, groupId],
    );
    return rows[0]?.secretHash ?? null;
  }

  async setSecret(tx: OrgTx, groupId: string, secretHash: Buffer, userId: string): Promise<void> {
    await tx.query(
      `INSERT INTO email_group_secret (org_id, group_id, secret_hash, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, group_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_by = excluded.created_by, created_at = now()`,
      [tx.orgId, groupId, secretHash, userId],
    );
  }

  async removeSecret(tx: OrgTx, groupId: string): Promise<boolean> {
    const rows = await tx.query(`DELETE FROM email_group_secret WHERE org_id = $1 AND group_id = $2 RETURNING group_id`, [tx.orgId, groupId]);
    return rows.length > 0;
  }

  async hasSecret(tx: OrgTx, groupId: string): Promise<Date | null> {
    const rows = await tx.query<{ createdAt: Date }>(`SELECT created_at AS "createdAt" FROM email_group_secret WHERE org_id = $1 AND group_id = $2`, [
      tx.orgId,
      groupId,
    ]);
    return rows[0]?.createdAt ?? null;
  }
}
