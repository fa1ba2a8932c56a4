import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../tenancy/tenant-database.js';

export interface RetentionPolicyRow {
  retainDays: number | null;
  deletedGraceDays: number;
}

export interface GroupOverrideRow {
  groupId: string;
  groupName: string;
  retainDays: number | null;
}

/**
 * One retention scope: the company stream (groupId null) or a group, with its effective retain
 * days (group override, else the org default; null = keep forever) and the creation-time cutoff
 * that follows from them at the sweep's or preview's `asOf`.
 */
export interface RetentionScopeRow {
  groupId: string | null;
  groupName: string | null;
  retainDays: number | null;
  cutoff: string | null;
  hasPosts: boolean;
}

export const DEFAULT_DELETED_GRACE_DAYS = 30;

/** Retention policies: the org default and per-group overrides (tables retention_policy, group_retention_policy). */
@Injectable()
export class RetentionPolicyRepository {
  async policy(tx: OrgTx): Promise<RetentionPolicyRow> {
    const rows = await tx.query<RetentionPolicyRow>(
      `SELECT retain_days AS "retainDays", deleted_grace_days AS "deletedGraceDays" FROM retention_policy WHERE org_id = $1`,
      [tx.orgId],
    );
    return rows[0] ?? { retainDays: null, deletedGraceDays: DEFAULT_DELETED_GRACE_DAYS };
  }

  /** Serialises policy changes of one org, so the audited "before" is the real one. */
  async lock(tx: OrgTx): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('retention-policy:' || $1, 0))`, [tx.orgId]);
  }

  async upsert(tx: OrgTx, p: RetentionPolicyRow, by: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO retention_policy (org_id, retain_days, deleted_grace_days, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id) DO UPDATE SET retain_days = EXCLUDED.retain_days, deleted_grace_days = EXCLUDED.deleted_grace_days,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [tx.orgId, p.retainDays, p.deletedGraceDays, by],
    );
  }

  async groupOverrides(tx: OrgTx): Promise<GroupOverrideRow[]> {
    return tx.query<GroupOverrideRow>(
      `SELECT gp.group_id AS "groupId", g.name AS "groupName", gp.retain_days AS "retainDays"
       FROM group_retention_policy gp JOIN org_group g ON g.org_id = gp.org_id AND g.id = gp.group_id
       WHERE gp.org_id = $1 ORDER BY lower(g.name), g.id`,
      [tx.orgId],
    );
  }

  /** The group's override, `undefined` when it inherits the org default. */
  async groupOverride(tx: OrgTx, groupId: string): Promise<{ retainDays: number | null } | undefined> {
    const rows = await tx.query<{ retainDays: number | null }>(
      `SELECT retain_days AS "retainDays" FROM group_retention_policy WHERE org_id = $1 AND group_id = $2`,
      [tx.orgId, groupId],
    );
    return rows[0];
  }

  async upsertGroupOverride(tx: OrgTx, groupId: string, retainDays: number | null, by: string | null): Promise<void> {
    await tx.query(
      `INSERT INTO group_retention_policy (org_id, group_id, retain_days, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, group_id) DO UPDATE SET retain_days = EXCLUDED.retain_days, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [tx.orgId, groupId, retainDays, by],
    );
  }

  async deleteGroupOverride(tx: OrgTx, groupId: string): Promise<void> {
    await tx.query(`DELETE FROM group_retention_policy WHERE org_id = $1 AND group_id = $2`, [tx.orgId, groupId]);
  }

  /** A group of this org (archived ones included), or null. */
  async groupName(tx: OrgTx, groupId: string): Promise<string | null> {
    const rows = await tx.query<{ name: string }>(`SELECT name FROM org_group WHERE org_id = $1 AND id = $2`, [tx.orgId, groupId]);
    return rows[0]?.name ?? null;
  }

  /**
   * Every scope with its effective retain days and cutoff at `asOf`: the company stream first,
   * then every group (archived ones too: archiving keeps content under the same policy).
   * This is the one definition of "due by age" the sweep and the preview share.
   */
  async scopes(tx: OrgTx, asOf: string): Promise<RetentionScopeRow[]> {
    return tx.query<RetentionScopeRow>(
      `SELECT s.group_id AS "groupId", s.group_name AS "groupName", s.retain_days AS "retainDays",
              CASE WHEN s.retain_days IS NULL THEN NULL ELSE ($2::timestamptz - make_interval(days => s.retain_days))::text END AS cutoff,
              s.has_posts AS "hasPosts"
       FROM (
         SELECT NULL::uuid AS group_id, NULL::text AS group_name, rp.retain_days, true AS has_posts, 0 AS ord
         FROM (SELECT 1) one LEFT JOIN retention_policy rp ON rp.org_id = $1
         UNION ALL
         SELECT g.id, g.name, CASE WHEN gp.group_id IS NULL THEN rp.retain_days ELSE gp.retain_days END,
                EXISTS (SELECT 1 FROM post p WHERE p.org_id = g.org_id AND p.group_id = g.id), 1
         FROM org_group g
         LEFT JOIN group_retention_policy gp ON gp.org_id = g.org_id AND gp.group_id = g.id
         LEFT JOIN retention_policy rp ON rp.org_id = g.org_id
         WHERE g.org_id = $1
       ) s
       ORDER BY s.ord, lower(s.group_name), s.group_id`,
      [tx.orgId, asOf],
    );
  }

  /** User-deleted posts deleted before this instant are past their grace period. */
  async deletedCutoff(tx: OrgTx, asOf: string): Promise<string> {
    const rows = await tx.query<{ cutoff: string }>(
      `SELECT ($2::timestamptz - make_interval(days => coalesce(
         (SELECT deleted_grace_days FROM retention_policy WHERE org_id = $1), ${DEFAULT_DELETED_GRACE_DAYS})))::text AS cutoff`,
      [tx.orgId, asOf],
    );
    return rows[0].cutoff;
  }
}
