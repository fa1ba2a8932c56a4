import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../tenancy/tenant-database.js';
import type { BundleCounts, ExportFormat } from './bundle/bundle.types.js';

export type ExportStatus = 'queued' | 'running' | 'completed' | 'failed' | 'expired';

/** What was asked for, as stored (and echoed into the manifest). Times are ISO strings. */
export interface ExportFilters {
  from: string;
  to: string;
  custodians?: string[];
  groups?: string[];
  holdId?: string;
  query?: string;
}

export interface ExportRow {
  id: string;
  requestedBy: string;
  filters: ExportFilters;
  formats: ExportFormat[];
  status: ExportStatus;
  percent: number;
  counts: Partial<BundleCounts> & { total?: number; processed?: number };
  attempts: number;
  host: string | null;
  error: string | null;
  fileKey: string | null;
  sizeBytes: string | null;
  sha256: string | null;
  manifestSha256: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  expiresAt: Date | null;
}

const COLUMNS = `id, requested_by AS "requestedBy", filters, formats, status, percent, counts, attempts, host, error,
  file_key AS "fileKey", size_bytes AS "sizeBytes", sha256, manifest_sha256 AS "manifestSha256", created_at AS "createdAt",
  started_at AS "startedAt", completed_at AS "completedAt", expires_at AS "expiresAt"`;

export interface SigningKeyRow {
  publicKey: string;
  privateKeySealed: string;
  fingerprint: string;
  createdAt: Date;
}

/** compliance_export and export_signing_key; nothing else touches them. */
@Injectable()
export class ExportRepository {
  async insert(tx: OrgTx, requestedBy: string, filters: ExportFilters, formats: ExportFormat[]): Promise<ExportRow> {
    const rows = await tx.query<ExportRow>(
      `INSERT INTO compliance_export (org_id, requested_by, filters, formats) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [tx.orgId, requestedBy, JSON.stringify(filters), formats],
    );
    return rows[0];
  }

  async find(tx: OrgTx, id: string, forUpdate = false): Promise<ExportRow | null> {
    const rows = await tx.query<ExportRow>(`SELECT ${COLUMNS} FROM compliance_export WHERE org_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`, [
      tx.orgId,
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Newest first, keyset on (created_at, id). */
  async list(tx: OrgTx, limit: number, before?: { createdAt: string; id: string }): Promise<ExportRow[]> {
    return tx.query<ExportRow>(
      `SELECT ${COLUMNS} FROM compliance_export WHERE org_id = $1
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [tx.orgId, before?.createdAt ?? null, before?.id ?? null, limit],
    );
  }

  /** Claims the export for a run: only a queued or running (crashed) one; returns the row after. */
  async start(tx: OrgTx, id: string, host: string): Promise<ExportRow | null> {
    const rows = await tx.query<ExportRow>(
      `UPDATE compliance_export SET status = 'running', attempts = attempts + 1, host = $3, started_at = now(), progress_at = now(),
         percent = 0, error = NULL
       WHERE org_id = $1 AND id = $2 AND status IN ('queued', 'running') RETURNING ${COLUMNS}`,
      [tx.orgId, id, host],
    );
    return rows[0] ?? null;
  }

  async progress(tx: OrgTx, id: string, percent: number, counts: Record<string, number>): Promise<void> {
    await tx.query(
      `UPDATE compliance_export SET percent = $3, counts = $4, progress_at = now() WHERE org_id = $1 AND id = $2 AND status = 'running'`,
      [tx.orgId, id, Math.max(0, Math.min(99, Math.floor(percent))), JSON.stringify(counts)],
    );
  }

  async complete(
    tx: OrgTx,
    id: string,
    done: { fileKey: string; sizeBytes: number; sha256: string; manifestSha256: string; counts: Record<string, number>; ttlDays: number },
  ): Promise<ExportRow | null> {
    const rows = await tx.query<ExportRow>(
      `UPDATE compliance_export SET status = 'completed', percent = 100, file_key = $3, size_bytes = $4, sha256 = $5,
         manifest_sha256 = $6, counts = $7, completed_at = now(), progress_at = now(), expires_at = now() + make_interval(days => $8)
       WHERE org_id = $1 AND id = $2 AND status = 'running' RETURNING ${COLUMNS}`,
      [tx.orgId, id, done.fileKey, done.sizeBytes, done.sha256, done.manifestSha256, JSON.stringify(done.counts), done.ttlDays],
    );
    return rows[0] ?? null;
  }

  async fail(tx: OrgTx, id: string, error: string): Promise<ExportRow | null> {
    const rows = await tx.query<ExportRow>(
      `UPDATE compliance_export SET status = 'failed', error = $3, progress_at = now() WHERE org_id = $1 AND id = $2 AND status IN ('queued', 'running')
       RETURNING ${COLUMNS}`,
      [tx.orgId, id, error.slice(0, 2000)],
    );
    return rows[0] ?? null;
  }

  /** Completed bundles past their expiry, oldest first. */
  async expired(tx: OrgTx, limit: number): Promise<ExportRow[]> {
    return tx.query<ExportRow>(
      `SELECT ${COLUMNS} FROM compliance_export WHERE org_id = $1 AND status = 'completed' AND expires_at <= now()
       ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [tx.orgId, limit],
    );
  }

  async markExpired(tx: OrgTx, id: string): Promise<void> {
    await tx.query(`UPDATE compliance_export SET status = 'expired' WHERE org_id = $1 AND id = $2`, [tx.orgId, id]);
  }

  /** Runs whose worker stopped reporting long ago and that no retry picked up. */
  async stalled(tx: OrgTx, olderThanMinutes: number): Promise<ExportRow[]> {
    return tx.query<ExportRow>(
      `SELECT ${COLUMNS} FROM compliance_export WHERE org_id = $1 AND status = 'running'
         AND progress_at < now() - make_interval(mins => $2) FOR UPDATE SKIP LOCKED`,
      [tx.orgId, olderThanMinutes],
    );
  }

  async signingKey(tx: OrgTx): Promise<SigningKeyRow | null> {
    const rows = await tx.query<SigningKeyRow>(
      `SELECT public_key AS "publicKey", private_key_sealed AS "privateKeySealed", fingerprint, created_at AS "createdAt"
       FROM export_signing_key WHERE org_id = $1`,
      [tx.orgId],
    );
    return rows[0] ?? null;
  }

  /** Inserts unless another request got there first; the caller reads the winner back. */
  async insertSigningKey(tx: OrgTx, key: { publicKey: string; privateKeySealed: string; fingerprint: string }): Promise<void> {
    await tx.query(
      `INSERT INTO export_signing_key (org_id, public_key, private_key_sealed, fingerprint) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [tx.orgId, key.publicKey, key.privateKeySealed, key.fingerprint],
    );
  }
}
