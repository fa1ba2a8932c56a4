import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../tenancy/tenant-database.js';

export type SweepTrigger = 'schedule' | 'manual';
export type SweepStatus = 'running' | 'completed' | 'interrupted' | 'failed';

/** A candidate for the purge, with its keyset position (timestamp as text: no precision lost). */
export interface DueRow {
  id: string;
  key: string;
}

export interface PurgedRow {
  postId: string;
  groupId: string | null;
  attachments: number;
}

export interface SweepRow {
  id: string;
  trigger: SweepTrigger;
  requestedBy: string | null;
  status: SweepStatus;
  startedAt: Date;
  finishedAt: Date | null;
  counts: Record<string, unknown>;
  error: string | null;
  cursorKey: string;
}

export interface PreviewRow {
  groupId: string | null;
  due: number;
  dueDeleted: number;
  protectedByHolds: number;
  waitingForReplies: number;
}

/** A scope's cutoff as the due predicates take it: created before `cutoff` (null: never by age). */
export interface ScopeCutoff {
  groupId: string | null;
  cutoff: string | null;
}

/*
 * "Due" has one definition, used by the sweep's selections and by the preview alike:
 *   by age:      created_at < the scope's cutoff (now - effective retain days)
 *   by deletion: deleted_at < the deletion cutoff (now - deleted grace days)
 * and held rows are never candidates (the partial indexes exclude them).
 */
const DUE_BY_AGE = (p: string, cutoff: string) => `${cutoff} IS NOT NULL AND ${p}.created_at < ${cutoff}`;
const DUE_BY_DELETION = (p: string, cutoff: string) => `${p}.deleted_at IS NOT NULL AND ${p}.deleted_at < ${cutoff}`;

/**
 * One batch of a scope's posts due by age; replies or roots; keyset (created_at, id) on
 * post_retention_idx. Two statements per shape (first batch, later batches): under the generic plan
 * of a prepared statement, "$5 IS NULL OR (…) > ($5, $6)" cannot start the index scan at the
 * keyset position, so every batch would rescan the rows purged before it.
 */
const dueByAgeSql = (company: boolean, keyset: boolean) => `
  SELECT p.id, p.created_at::text AS key FROM post p
  WHERE p.org_id = $1 AND ${company ? 'p.group_id IS NULL AND $2::uuid IS NULL' : 'p.group_id = $2'} AND NOT p.on_hold
    AND ${DUE_BY_AGE('p', '$3::timestamptz')}
    AND (p.parent_id IS NOT NULL) = $4
    ${keyset ? 'AND (p.created_at, p.id) > ($6::timestamptz, $7::uuid)' : ''}
  ORDER BY p.created_at, p.id LIMIT $5`;
const DUE_BY_AGE_SQL = {
  company: { first: dueByAgeSql(true, false), next: dueByAgeSql(true, true) },
  group: { first: dueByAgeSql(false, false), next: dueByAgeSql(false, true) },
};

const dueByDeletionSql = (keyset: boolean) => `
  SELECT p.id, p.deleted_at::text AS key FROM post p
  WHERE p.org_id = $1 AND NOT p.on_hold AND ${DUE_BY_DELETION('p', '$2::timestamptz')}
    AND (p.parent_id IS NOT NULL) = $3
    ${keyset ? 'AND (p.deleted_at, p.id) > ($5::timestamptz, $6::uuid)' : ''}
  ORDER BY p.deleted_at, p.id LIMIT $4`;
const DUE_BY_DELETION_SQL = { first: dueByDeletionSql(false), next: dueByDeletionSql(true) };

/** The retention sweep's SQL: selections of due posts, the purge, sweep runs and storage clean-up. */
@Injectable()
export class RetentionSweepRepository {
  async dueByAge(tx: OrgTx, scope: ScopeCutoff, replies: boolean, after: [string, string] | null, limit: number): Promise<DueRow[]> {
    const sql = DUE_BY_AGE_SQL[scope.groupId === null ? 'company' : 'group'];
    const params = [tx.orgId, scope.groupId, scope.cutoff, replies, limit];
    return tx.query<DueRow>(after ? sql.next : sql.first, after ? [...params, after[0], after[1]] : params);
  }

  /** One batch of user-deleted posts past their grace; keyset (deleted_at, id) on post_deleted_purge_idx. */
  async dueByDeletion(tx: OrgTx, cutoff: string, replies: boolean, after: [string, string] | null, limit: number): Promise<DueRow[]> {
    const params = [tx.orgId, cutoff, replies, limit];
    return tx.query<DueRow>(after ? DUE_BY_DELETION_SQL.next : DUE_BY_DELETION_SQL.first, after ? [...params, after[0], after[1]] : params);
  }

  /** The only way posts are deleted: skips held rows, rows locked by others and roots with replies left. */
  async purge(tx: OrgTx, ids: string[]): Promise<PurgedRow[]> {
    return tx.query<PurgedRow>(
      `SELECT post_id AS "postId", group_id AS "groupId", attachments FROM retention_purge_posts($1::uuid[])`,
      [ids],
    );
  }

  /**
   * What the next sweep would do, per scope, with the sweep's predicates: a root counts as due
   * only when every reply goes too (due and not held), since the purge keeps a root with replies.
   * `dueDeleted` counts posts due by deletion only (not also by age), as the sweep does.
   */
  async preview(tx: OrgTx, scopes: ScopeCutoff[], deletedCutoff: string): Promise<PreviewRow[]> {
    return tx.query<PreviewRow>(
      `WITH scope AS (SELECT * FROM unnest($2::uuid[], $3::timestamptz[]) AS s(group_id, cutoff)),
       cand AS (
         SELECT p.id, p.group_id, p.parent_id, p.on_hold, (${DUE_BY_AGE('p', 's.cutoff')}) AS by_age
         FROM post p JOIN scope s ON s.group_id IS NOT DISTINCT FROM p.group_id
         WHERE p.org_id = $1 AND ((${DUE_BY_AGE('p', 's.cutoff')}) OR (${DUE_BY_DELETION('p', '$4::timestamptz')}))
       ),
       going AS (SELECT id FROM cand WHERE NOT on_hold),
       purgeable AS (
         SELECT c.id FROM cand c
         WHERE NOT c.on_hold AND (c.parent_id IS NOT NULL OR NOT EXISTS (
           SELECT 1 FROM post r WHERE r.org_id = $1 AND r.parent_id = c.id AND r.id NOT IN (SELECT id FROM going))))
       SELECT c.group_id AS "groupId",
              count(*) FILTER (WHERE u.id IS NOT NULL AND c.by_age) AS due,
              count(*) FILTER (WHERE u.id IS NOT NULL AND NOT c.by_age) AS "dueDeleted",
              count(*) FILTER (WHERE c.on_hold) AS "protectedByHolds",
              count(*) FILTER (WHERE NOT c.on_hold AND u.id IS NULL) AS "waitingForReplies"
       FROM cand c LEFT JOIN purgeable u ON u.id = c.id
       GROUP BY c.group_id`,
      [tx.orgId, scopes.map((s) => s.groupId), scopes.map((s) => s.cutoff), deletedCutoff],
    );
  }

  /** Held posts that would otherwise be due (read through post_on_hold_idx). */
  async heldDue(tx: OrgTx, scopes: ScopeCutoff[], deletedCutoff: string): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `SELECT count(*) AS n
       FROM post p JOIN unnest($2::uuid[], $3::timestamptz[]) AS s(group_id, cutoff) ON s.group_id IS NOT DISTINCT FROM p.group_id
       WHERE p.org_id = $1 AND p.on_hold AND ((${DUE_BY_AGE('p', 's.cutoff')}) OR (${DUE_BY_DELETION('p', '$4::timestamptz')}))`,
      [tx.orgId, scopes.map((s) => s.groupId), scopes.map((s) => s.cutoff), deletedCutoff],
    );
    return rows[0].n;
  }

  /** Uploads never attached to a post, older than `before`: rows deleted, files queued in storage_gc. */
  async purgeOrphanUploads(tx: OrgTx, before: string, limit: number): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `WITH doomed AS (
         SELECT id FROM attachment WHERE org_id = $1 AND post_id IS NULL AND created_at < $2::timestamptz
         ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED),
       gone AS (
         DELETE FROM attachment a USING doomed d WHERE a.org_id = $1 AND a.id = d.id AND a.post_id IS NULL RETURNING a.storage_key),
       queued AS (INSERT INTO storage_gc (org_id, storage_key) SELECT $1, storage_key FROM gone ON CONFLICT DO NOTHING)
       SELECT count(*) AS n FROM gone`,
      [tx.orgId, before, limit],
    );
    return rows[0].n;
  }

  async storageGarbage(tx: OrgTx, limit: number): Promise<string[]> {
    const rows = await tx.query<{ key: string }>(
      `SELECT storage_key AS key FROM storage_gc WHERE org_id = $1 ORDER BY queued_at, storage_key LIMIT $2`,
      [tx.orgId, limit],
    );
    return rows.map((r) => r.key);
  }

  async forgetStorageGarbage(tx: OrgTx, keys: string[]): Promise<void> {
    await tx.query(`DELETE FROM storage_gc WHERE org_id = $1 AND storage_key = ANY($2::text[])`, [tx.orgId, keys]);
  }

  /** Sweeps still marked running belong to a worker that died (a new sweep of the org is starting). */
  /**
   * Serialises sweep starts per org (transaction-scoped advisory lock), marks sweeps whose worker
   * stopped reporting `interrupted`, and says whether another sweep is still alive.
   */
  async claim(tx: OrgTx, staleAfterMinutes: number): Promise<{ interrupted: string[]; busy: boolean }> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('retention-sweep:' || $1, 0))`, [tx.orgId]);
    const rows = await tx.query<{ id: string }>(
      `UPDATE retention_sweep SET status = 'interrupted', finished_at = now()
       WHERE org_id = $1 AND status = 'running' AND progress_at < now() - make_interval(mins => $2) RETURNING id`,
      [tx.orgId, staleAfterMinutes],
    );
    const live = await tx.query<{ id: string }>(`SELECT id FROM retention_sweep WHERE org_id = $1 AND status = 'running' LIMIT 1`, [tx.orgId]);
    return { interrupted: rows.map((r) => r.id), busy: live.length > 0 };
  }

  async insertSweep(tx: OrgTx, trigger: SweepTrigger, requestedBy: string | null): Promise<string> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO retention_sweep (org_id, trigger, requested_by) VALUES ($1, $2, $3) RETURNING id`,
      [tx.orgId, trigger, requestedBy],
    );
    return rows[0].id;
  }

  async updateCounts(tx: OrgTx, id: string, counts: object): Promise<void> {
    await tx.query(`UPDATE retention_sweep SET counts = $3, progress_at = now() WHERE org_id = $1 AND id = $2`, [tx.orgId, id, JSON.stringify(counts)]);
  }

  async finish(tx: OrgTx, id: string, status: 'completed' | 'failed', counts: object, error: string | null): Promise<void> {
    await tx.query(
      `UPDATE retention_sweep SET status = $3, counts = $4, error = $5, finished_at = now() WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, status, JSON.stringify(counts), error],
    );
  }

  /** Newest first; keyset (started_at, id). */
  async list(tx: OrgTx, before: [string, string] | null, limit: number): Promise<SweepRow[]> {
    return tx.query<SweepRow>(
      `SELECT id, trigger, requested_by AS "requestedBy", status, started_at AS "startedAt", finished_at AS "finishedAt",
              counts, error, started_at::text AS "cursorKey"
       FROM retention_sweep
       WHERE org_id = $1 AND ($2::timestamptz IS NULL OR (started_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY started_at DESC, id DESC LIMIT $4`,
      [tx.orgId, before?.[0] ?? null, before?.[1] ?? null, limit],
    );
  }

  async get(tx: OrgTx, id: string): Promise<SweepRow | null> {
    const rows = await tx.query<SweepRow>(
      `SELECT id, trigger, requested_by AS "requestedBy", status, started_at AS "startedAt", finished_at AS "finishedAt",
              counts, error, started_at::text AS "cursorKey"
       FROM retention_sweep WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }
}
