import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../tenancy/tenant-database.js';

export type HoldStatus = 'active' | 'released';

export interface LegalHoldRow {
  id: string;
  matter: string;
  description: string;
  custodianIds: string[];
  groupIds: string[];
  startsAt: Date | null;
  endsAt: Date | null;
  keywords: string[];
  status: HoldStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  releasedBy: string | null;
  releasedAt: Date | null;
  releaseReason: string | null;
  cursorKey: string;
}

export interface HoldCriteria {
  matter: string;
  description: string;
  custodianIds: string[];
  groupIds: string[];
  startsAt: string | null;
  endsAt: string | null;
  keywords: string[];
}

const COLUMNS = `id, matter, description, custodian_ids AS "custodianIds", group_ids AS "groupIds", starts_at AS "startsAt",
  ends_at AS "endsAt", keywords, status, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt",
  released_by AS "releasedBy", released_at AS "releasedAt", release_reason AS "releaseReason", created_at::text AS "cursorKey"`;

/** Legal holds (table legal_hold). `post.on_hold` follows from them through `legal_hold_refresh()`. */
@Injectable()
export class LegalHoldRepository {
  async insert(tx: OrgTx, c: HoldCriteria, createdBy: string): Promise<string> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO legal_hold (org_id, matter, description, custodian_ids, group_ids, starts_at, ends_at, keywords, created_by)
       VALUES ($1, $2, $3, $4::uuid[], $5::uuid[], $6, $7, $8::text[], $9) RETURNING id`,
      [tx.orgId, c.matter, c.description, c.custodianIds, c.groupIds, c.startsAt, c.endsAt, c.keywords, createdBy],
    );
    return rows[0].id;
  }

  async find(tx: OrgTx, id: string, forUpdate = false): Promise<LegalHoldRow | null> {
    const rows = await tx.query<LegalHoldRow>(
      `SELECT ${COLUMNS} FROM legal_hold WHERE org_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  /** Newest first; keyset (created_at, id) on legal_hold_list_idx. */
  async list(tx: OrgTx, status: HoldStatus | null, before: [string, string] | null, limit: number): Promise<LegalHoldRow[]> {
    return tx.query<LegalHoldRow>(
      `SELECT ${COLUMNS} FROM legal_hold
       WHERE org_id = $1 AND ($2::text IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [tx.orgId, status, before?.[0] ?? null, before?.[1] ?? null, limit],
    );
  }

  async update(tx: OrgTx, id: string, c: HoldCriteria): Promise<void> {
    await tx.query(
      `UPDATE legal_hold SET matter = $3, description = $4, custodian_ids = $5::uuid[], group_ids = $6::uuid[],
         starts_at = $7, ends_at = $8, keywords = $9::text[], updated_at = now()
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, c.matter, c.description, c.custodianIds, c.groupIds, c.startsAt, c.endsAt, c.keywords],
    );
  }

  async release(tx: OrgTx, id: string, by: string, reason: string): Promise<void> {
    await tx.query(
      `UPDATE legal_hold SET status = 'released', released_by = $3, released_at = now(), release_reason = $4, updated_at = now()
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, by, reason],
    );
  }

  /** Recomputes `post.on_hold` for the org; returns how many posts are held now. */
  async refresh(tx: OrgTx): Promise<number> {
    const rows = await tx.query<{ held: number }>(`SELECT legal_hold_refresh()::int AS held`);
    return rows[0].held;
  }

  /** Posts this hold covers (itself or through its conversation's root), whatever other holds do. */
  async coveredCount(tx: OrgTx, id: string): Promise<number> {
    const rows = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM legal_hold_posts(ARRAY[$1::uuid])`, [id]);
    return rows[0].n;
  }

  /** Which of these ids are users of the org (deactivated ones included: they can be custodians). */
  async existingUserIds(tx: OrgTx, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<{ id: string }>(`SELECT id FROM user_account WHERE org_id = $1 AND id = ANY($2::uuid[])`, [tx.orgId, ids]);
    return rows.map((r) => r.id);
  }

  /** Which of these ids are groups of the org (archived ones included). */
  async existingGroupIds(tx: OrgTx, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<{ id: string }>(`SELECT id FROM org_group WHERE org_id = $1 AND id = ANY($2::uuid[])`, [tx.orgId, ids]);
    return rows.map((r) => r.id);
  }
}
