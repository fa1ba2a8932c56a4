import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../tenancy/tenant-database.js';
import type { ChainedFields } from './audit-chain.js';

export interface AuditRow extends ChainedFields {
  hash: string;
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  beforeSeq?: number;
}

const COLUMNS = `org_id AS "orgId", seq, id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
  actor_type AS "actorType", actor_id AS "actorId", action, target_type AS "targetType", target_id AS "targetId",
  ip, request_id AS "requestId", data, encode(prev_hash, 'hex') AS "prevHash", encode(hash, 'hex') AS hash`;

@Injectable()
export class AuditRepository {
  /** Serialises appends per org for the rest of the transaction so the chain stays linear. */
  async lockChain(tx: OrgTx): Promise<{ seq: number; hash: string } | null> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('audit:' || $1, 0))`, [tx.orgId]);
    const rows = await tx.query<{ seq: number; hash: string }>(
      `SELECT seq, encode(hash, 'hex') AS hash FROM audit_event WHERE org_id = $1 ORDER BY seq DESC LIMIT 1`,
      [tx.orgId],
    );
    return rows[0] ?? null;
  }

  async insert(tx: OrgTx, row: AuditRow): Promise<void> {
    await tx.query(
      `INSERT INTO audit_event (org_id, seq, id, occurred_at, actor_type, actor_id, action, target_type, target_id,
         ip, request_id, data, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, decode($13, 'hex'), decode($14, 'hex'))`,
      [
        row.orgId, row.seq, row.id, row.occurredAt, row.actorType, row.actorId, row.action, row.targetType, row.targetId,
        row.ip, row.requestId, JSON.stringify(row.data), row.prevHash, row.hash,
      ],
    );
  }

  /** Newest first, for the admin viewer. */
  async list(tx: OrgTx, filter: AuditFilter, limit: number): Promise<AuditRow[]> {
    return tx.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_event
       WHERE org_id = $1
         AND ($2::text IS NULL OR action = $2)
         AND ($3::uuid IS NULL OR actor_id = $3)
         AND ($4::text IS NULL OR target_id = $4)
         AND ($5::timestamptz IS NULL OR occurred_at >= $5)
         AND ($6::timestamptz IS NULL OR occurred_at < $6)
         AND ($7::bigint IS NULL OR seq < $7)
       ORDER BY seq DESC LIMIT $8`,
      [tx.orgId, filter.action ?? null, filter.actorId ?? null, filter.targetId ?? null, filter.from ?? null, filter.to ?? null,
        filter.beforeSeq ?? null, limit],
    );
  }

  /** Oldest first from `afterSeq`, for chain verification in batches. */
  async chainBatch(tx: OrgTx, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return tx.query<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_event WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [tx.orgId, afterSeq, limit],
    );
  }
}
