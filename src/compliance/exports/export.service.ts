import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { AppConfig } from '../../config/app-config.js';
import { systemActor } from '../../common/actor.js';
import { badRequest, DomainError, notFound } from '../../common/domain-error.js';
import { decodeCursor, toPage, type Page } from '../../common/cursor.js';
import { LOGGER } from '../../common/logger.module.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { JobQueue } from '../../jobs/job-queue.js';
import { TenantDatabase, type OrgTx } from '../../tenancy/tenant-database.js';
import { EXPORT_FORMATS, type ExportFormat } from './bundle/bundle.types.js';
import type { CreateExportDto } from './dto/export.dto.js';
import { ExportRepository, type ExportFilters, type ExportRow, type ExportStatus } from './export.repository.js';
import { ExportSigningService } from './export-signing.service.js';
import { JobName } from '../../jobs/job.types.js';

export interface ExportView {
  id: string;
  status: ExportStatus;
  percent: number;
  counts: Record<string, number>;
  filters: ExportFilters;
  formats: ExportFormat[];
  requestedBy: string;
  attempts: number;
  error: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  manifestSha256: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  expiresAt: Date | null;
  downloadUrl: string | null;
}

export interface OpenedBundle {
  stream: Readable;
  fileName: string;
  sizeBytes: number;
  sha256: string;
}

/** Default contents: everything but the audit log, which is asked for explicitly. */
const DEFAULT_FORMATS: ExportFormat[] = ['jsonl', 'csv', 'eml', 'rsmf', 'attachments'];

/** Bundle files live at EXPORT_DIR/<orgId>/<exportId>.zip; the key stored is `<orgId>/<exportId>.zip`. */
export function bundleKey(orgId: string, exportId: string): string {
  return `${orgId}/${exportId}.zip`;
}

/**
 * Compliance exports: requests (validated, audited, queued), status and progress, the
 * audited download, and expiry of old bundles. The job itself is ExportRunner.
 */
@Injectable()
export class ExportService {
  constructor(
    private readonly repo: ExportRepository,
    private readonly signing: ExportSigningService,
    private readonly audit: AuditService,
    private readonly queue: JobQueue,
    private readonly db: TenantDatabase,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  bundlePath(fileKey: string): string {
    return join(resolve(this.config.env.EXPORT_DIR), fileKey);
  }

  async request(auth: AuthContext, dto: CreateExportDto): Promise<ExportView> {
    this.signing.assertConfigured();
    if (dto.from.getTime() >= dto.to.getTime()) throw badRequest('invalid_range', '`from` must be before `to`');
    const formats = [...new Set<ExportFormat>(['jsonl', ...(dto.formats ?? DEFAULT_FORMATS)])].sort(
      (a, b) => EXPORT_FORMATS.indexOf(a) - EXPORT_FORMATS.indexOf(b),
    );
    const filters: ExportFilters = { from: dto.from.toISOString(), to: dto.to.toISOString() };
    if (dto.custodians?.length) filters.custodians = dto.custodians.map((id) => id.toLowerCase());
    if (dto.groups?.length) filters.groups = dto.groups.map((id) => id.toLowerCase());
    if (dto.holdId) filters.holdId = dto.holdId.toLowerCase();
    if (dto.query) filters.query = dto.query;
    const row = await this.db.withOrg(auth.orgId, async (tx) => {
      await this.checkRefs(tx, filters);
      const created = await this.repo.insert(tx, auth.userId, filters, formats);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.ExportRequested,
        target: { type: 'export', id: created.id },
        data: { filters, formats },
      });
      return created;
    });
    await this.queue.enqueue(JobName.RunExport, { orgId: auth.orgId, exportId: row.id });
    return toView(row);
  }

  /** Every id a filter names must be this org's; the error lists the ones that are not. */
  private async checkRefs(tx: OrgTx, f: ExportFilters): Promise<void> {
    const missing = async (table: string, ids: string[] | undefined) => {
      if (!ids?.length) return [];
      const found = await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE org_id = $1 AND id = ANY ($2::uuid[])`, [tx.orgId, ids]);
      const known = new Set(found.map((r) => r.id));
      return ids.filter((id) => !known.has(id));
    };
    const custodians = await missing('user_account', f.custodians);
    if (custodians.length) throw badRequest('unknown_custodians', 'Some custodians are not users of this organisation', { unknownIds: custodians });
    const groups = await missing('org_group', f.groups);
    if (groups.length) throw badRequest('unknown_groups', 'Some groups do not exist in this organisation', { unknownIds: groups });
    if ((await missing('legal_hold', f.holdId ? [f.holdId] : undefined)).length) {
      throw badRequest('unknown_hold', 'The legal hold does not exist in this organisation');
    }
  }

  async get(auth: AuthContext, id: string): Promise<ExportView> {
    const row = await this.db.withOrg(auth.orgId, (tx) => this.repo.find(tx, id));
    if (!row) throw notFound('Export');
    return toView(row);
  }

  async list(auth: AuthContext, limit: number, cursor?: string): Promise<Page<ExportView>> {
    const key = decodeCursor(cursor, 2);
    const rows = await this.db.withOrg(auth.orgId, (tx) =>
      this.repo.list(tx, limit + 1, key ? { createdAt: String(key[0]), id: String(key[1]) } : undefined),
    );
    return toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id], toView);
  }

  /** The finished bundle; the download is audited before the first byte leaves. */
  async open(auth: AuthContext, id: string): Promise<OpenedBundle> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const row = await this.repo.find(tx, id);
      if (!row) throw notFound('Export');
      if (row.status === 'expired' || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) {
        throw new DomainError(410, 'export_expired', 'This export has expired and its bundle was deleted; request a new one');
      }
      if (row.status !== 'completed' || !row.fileKey || !row.sha256) {
        throw new DomainError(409, 'export_not_ready', `The export is ${row.status}; download it once it has completed`, { exportStatus: row.status });
      }
      const path = this.bundlePath(row.fileKey);
      const size = (await stat(path).catch(() => null))?.size;
      if (size === undefined) throw new DomainError(410, 'export_missing', 'The bundle file is no longer on the server; request a new export');
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.ExportDownloaded,
        target: { type: 'export', id },
        data: { sha256: row.sha256, sizeBytes: size },
      });
      return { stream: createReadStream(path), fileName: `chorus-export-${id}.zip`, sizeBytes: size, sha256: row.sha256 };
    });
  }

  /** Housekeeping for one org: deletes expired bundles and fails runs that stopped reporting. */
  async expire(orgId: string, now = new Date()): Promise<{ expired: number; failed: number }> {
    let expired = 0;
    for (;;) {
      const batch = await this.db.withOrg(orgId, async (tx) => {
        const rows = await this.repo.expired(tx, 100);
        for (const row of rows) {
          if (row.fileKey) await rm(this.bundlePath(row.fileKey), { force: true });
          await this.repo.markExpired(tx, row.id);
          await this.audit.record(tx, systemActor(), {
            action: AuditAction.ExportExpired,
            target: { type: 'export', id: row.id },
            data: { sha256: row.sha256, expiresAt: row.expiresAt?.toISOString() ?? now.toISOString() },
          });
        }
        return rows.length;
      });
      expired += batch;
      if (batch < 100) break;
    }
    const failed = await this.db.withOrg(orgId, async (tx) => {
      const rows = await this.repo.stalled(tx, STALLED_MINUTES);
      for (const row of rows) {
        await this.repo.fail(tx, row.id, `No progress for ${STALLED_MINUTES} minutes: the worker stopped and no retry took the job over`);
        await this.audit.record(tx, systemActor(), { action: AuditAction.ExportFailed, target: { type: 'export', id: row.id }, data: { reason: 'stalled' } });
      }
      return rows.length;
    });
    if (expired + failed > 0) this.log.info({ orgId, expired, failed }, 'export housekeeping');
    return { expired, failed };
  }
}

/** A running export reports at least every batch; this long without a report means it is dead. */
const STALLED_MINUTES = 60;

function toView(r: ExportRow): ExportView {
  return {
    id: r.id,
    status: r.status,
    percent: r.percent,
    counts: r.counts as Record<string, number>,
    filters: r.filters,
    formats: r.formats,
    requestedBy: r.requestedBy,
    attempts: r.attempts,
    error: r.error,
    sizeBytes: r.sizeBytes === null ? null : Number(r.sizeBytes),
    sha256: r.sha256,
    manifestSha256: r.manifestSha256,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    completedAt: r.completedAt,
    expiresAt: r.expiresAt,
    downloadUrl: r.status === 'completed' ? `/api/v1/compliance/exports/${r.id}/download` : null,
  };
}
