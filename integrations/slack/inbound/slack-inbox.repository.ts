import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export type SlackDeliveryKind = 'event' | 'command' | 'interaction';
export type SlackInboxStatus = 'pending' | 'done' | 'ignored' | 'failed';

export interface SlackInboxRow {
  id: string;
  installationId: string;
  teamId: string;
  kind: SlackDeliveryKind;
  payload: Record<string, unknown>;
  status: SlackInboxStatus;
  attempts: number;
}

const COLUMNS = `id, installation_id AS "installationId", team_id AS "teamId", kind, payload, status, attempts`;

/** The durable inbox of Slack deliveries: written before Slack gets its 200, processed by a job. */
@Injectable()
export class SlackInboxRepository {
  /** The new row's id, or null when this delivery key was stored before (a Slack retry). */
  async insert(
    tx: OrgTx,
    d: { installationId: string; teamId: string; deliveryKey: string; kind: SlackDeliveryKind; payload: Record<string, unknown> },
  ): Promise<string | null> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO slack_inbox (org_id, installation_id, team_id, delivery_key, kind, payload)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id, team_id, delivery_key) DO NOTHING RETURNING id`,
      [tx.orgId, d.installationId, d.teamId, d.deliveryKey, d.kind, JSON.stringify(d.payload)],
    );
    return rows[0]?.id ?? null;
  }

  async pendingIdOf(tx: OrgTx, teamId: string, deliveryKey: string): Promise<string | null> {
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM slack_inbox WHERE org_id = $1 AND team_id = $2 AND delivery_key = $3 AND status = 'pending'`,
      [tx.orgId, teamId, deliveryKey],
    );
    return rows[0]?.id ?? null;
  }

  /** Locks the row so two runs of the same job never process it at once. */
  async findForUpdate(tx: OrgTx, id: string): Promise<SlackInboxRow | null> {
    const rows = await tx.query<SlackInboxRow>(`SELECT ${COLUMNS} FROM slack_inbox WHERE org_id = $1 AND id = $2 FOR UPDATE`, [tx.orgId, id]);
    return rows[0] ?? null;
  }

  async find(tx: OrgTx, id: string): Promise<SlackInboxRow | null> {
    const rows = await tx.query<SlackInboxRow>(`SELECT ${COLUMNS} FROM slack_inbox WHERE org_id = $1 AND id = $2`, [tx.orgId, id]);
    return rows[0] ?? null;
  }

  async countAttempt(tx: OrgTx, id: string): Promise<number> {
    const rows = await tx.query<{ attempts: number }>(
      `UPDATE slack_inbox SET attempts = attempts + 1 WHERE org_id = $1 AND id = $2 RETURNING attempts`,
      [tx.orgId, id],
    );
    return rows[0].attempts;
  }

  async settle(tx: OrgTx, id: string, status: SlackInboxStatus, error: string | null): Promise<void> {
    await tx.query(
      `UPDATE slack_inbox SET status = $3, error = $4, processed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, status, error],
    );
  }
}
