import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export type OutboxKind = 'mention' | 'reply' | 'digest' | 'bounce';
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** One email to store in the outbox; `status: 'skipped'` records a decision not to send. */
export interface OutboundEmail {
  dedupeKey: string;
  kind: OutboxKind;
  userId: string | null;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  status?: 'pending' | 'skipped';
}

export interface OutboxRow {
  id: string;
  kind: OutboxKind;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  headers: Record<string, string>;
  status: OutboxStatus;
  attempts: number;
}

/** The email_outbox table: every email Chorus sends, stored before it is sent, unique per dedupe key. */
@Injectable()
export class EmailOutboxRepository {
  /** The new row's id, or null when an email with this dedupe key exists already. */
  async insert(tx: OrgTx, e: OutboundEmail): Promise<string | null> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO email_outbox (org_id, dedupe_key, kind, user_id, to_address, subject, text_body, html_body, headers, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (org_id, dedupe_key) DO NOTHING RETURNING id`,
      [tx.orgId, e.dedupeKey, e.kind, e.userId, e.to, e.subject, e.text, e.html, JSON.stringify(e.headers), e.status ?? 'pending'],
    );
    return rows[0]?.id ?? null;
  }

  /** Which of these dedupe keys already have a row. */
  async existingKeys(tx: OrgTx, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await tx.query<{ key: string }>(`SELECT dedupe_key AS key FROM email_outbox WHERE org_id = $1 AND dedupe_key = ANY($2::text[])`, [tx.orgId, keys]);
    return new Set(rows.map((r) => r.key));
  }

  /** The row, locked until the transaction ends, so two sends of it never overlap. */
  async lock(tx: OrgTx, id: string): Promise<OutboxRow | null> {
    const rows = await tx.query<OutboxRow>(
      `SELECT id, kind, to_address AS "toAddress", subject, text_body AS "textBody", html_body AS "htmlBody", headers, status, attempts
       FROM email_outbox WHERE org_id = $1 AND id = $2 FOR UPDATE`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  async markSent(tx: OrgTx, id: string, messageId: string): Promise<void> {
    await tx.query(`UPDATE email_outbox SET status = 'sent', sent_at = now(), message_id = $3, error = NULL WHERE org_id = $1 AND id = $2`, [tx.orgId, id, messageId]);
  }

  async markSkipped(tx: OrgTx, id: string, reason: string): Promise<void> {
    await tx.query(`UPDATE email_outbox SET status = 'skipped', error = $3 WHERE org_id = $1 AND id = $2`, [tx.orgId, id, reason]);
  }

  /** Counts a failed attempt; the row stays pending for the next retry unless `final`. */
  async recordFailure(tx: OrgTx, id: string, error: string, final: boolean): Promise<void> {
    await tx.query(
      `UPDATE email_outbox SET attempts = attempts + 1, error = $3, status = CASE WHEN $4::boolean THEN 'failed' ELSE status END
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, error, final],
    );
  }

  /** Finished rows hold post text: they are kept a week for support, then deleted. */
  async deleteFinishedBefore(tx: OrgTx, days: number): Promise<number> {
    const rows = await tx.query(
      `DELETE FROM email_outbox WHERE org_id = $1 AND status IN ('sent', 'skipped', 'failed') AND created_at < now() - make_interval(days => $2) RETURNING id`,
      [tx.orgId, days],
    );
    return rows.length;
  }
}
