import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Readable } from 'node:stream';
import { AttachmentStorage } from '../../attachments/attachment-storage.js';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { systemActor } from '../../common/actor.js';
import { LOGGER } from '../../common/logger.module.js';
import { softwareVersion } from '../../common/software-version.js';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue } from '../../jobs/job-queue.js';
import { JobRegistry } from '../../jobs/job-registry.js';
import { JOB_POLICY, JobName } from '../../jobs/job.types.js';
import { OrgService } from '../../tenancy/org.service.js';
import { TenantDatabase } from '../../tenancy/tenant-database.js';
import { attachmentBundlePath } from './bundle/bundle-paths.js';
import { BundleWriter } from './bundle/bundle-writer.js';
import type { BundleContext, CustodyEvent, ExportUser } from './bundle/bundle.types.js';
import { ExportReader, type ExportPosition } from './export-reader.js';
import { ExportRepository, type ExportRow } from './export.repository.js';
import { bundleKey, ExportService } from './export.service.js';
import { ExportSigningService } from './export-signing.service.js';

const POST_BATCH = 500;
const PROGRESS_EVERY_MS = 1000;
const AUDIT_BATCH = 2000;

/**
 * The export job. Each run starts the bundle afresh in its own work directory (so a retry after
 * a crash never mixes two attempts), streams posts in keyset batches, writes the signed ZIP to
 * a temporary name and renames it into place, and only then marks the export completed. A
 * worker killed at any point leaves the export `running` with no bundle: BullMQ hands the job
 * to another worker, which starts over.
 */
@Injectable()
export class ExportRunner implements OnModuleInit {
  /** Posts per read transaction (tests lower it to put equal timestamps across a batch boundary). */
  batchSize = POST_BATCH;

  constructor(
    private readonly registry: JobRegistry,
    private readonly queue: JobQueue,
    private readonly orgs: OrgService,
    private readonly repo: ExportRepository,
    private readonly reader: ExportReader,
    private readonly exports: ExportService,
    private readonly signing: ExportSigningService,
    private readonly storage: AttachmentStorage,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.RunExport, (data) => this.run(data.orgId, data.exportId));
    this.registry.register(JobName.ScheduleExportExpiry, async () => {
      for (const orgId of await this.orgs.listIds()) await this.queue.enqueue(JobName.ExpireExports, { orgId });
    });
    this.registry.register(JobName.ExpireExports, async ({ orgId }) => {
      await this.exports.expire(orgId);
    });
  }

  async run(orgId: string, exportId: string): Promise<void> {
    const row = await this.db.withOrg(orgId, (tx) => this.repo.start(tx, exportId, hostname()));
    if (!row) return; // already completed, failed or expired: a duplicate delivery
    try {
      await this.build(orgId, row);
    } catch (error) {
      this.log.warn({ err: error, orgId, exportId, attempt: row.attempts }, 'export attempt failed');
      if (row.attempts < JOB_POLICY[JobName.RunExport].attempts) throw error;
      await this.db.withOrg(orgId, async (tx) => {
        const failed = await this.repo.fail(tx, exportId, error instanceof Error ? error.message : String(error));
        if (failed) {
          await this.audit.record(tx, systemActor(), {
            action: AuditAction.ExportFailed,
            target: { type: 'export', id: exportId },
            data: { attempts: row.attempts, reason: 'error' },
          });
        }
      });
    }
  }

  private async build(orgId: string, row: ExportRow): Promise<void> {
    const { org, requester } = await this.db.withOrg(orgId, async (tx) => {
      const orgs = await tx.query<{ id: string; slug: string; name: string }>(`SELECT id, slug, name FROM org WHERE id = $1`, [orgId]);
      const users = await tx.query<ExportUser>(
        `SELECT id, email, display_name AS "displayName", handle FROM user_account WHERE org_id = $1 AND id = $2`,
        [orgId, row.requestedBy],
      );
      return { org: orgs[0], requester: users[0] };
    });
    const host = hostname();
    const ctx: BundleContext = {
      exportId: row.id,
      org,
      requestedBy: requester,
      requestedAt: row.createdAt.toISOString(),
      filters: { ...row.filters },
      formats: row.formats,
      softwareVersion: softwareVersion(),
      host,
      attempt: row.attempts,
      // Filled in just before sealing (the writer reads it in finish()).
      auditHead: null,
    };
    const custody: CustodyEvent[] = [
      { at: row.createdAt.toISOString(), event: 'requested', detail: { by: requester.id, email: requester.email, filters: row.filters, formats: row.formats } },
    ];
    if (row.attempts > 1) {
      custody.push({ at: new Date().toISOString(), event: 'restarted', detail: { attempt: row.attempts, note: 'an earlier attempt did not finish; its partial files were discarded' } });
    }
    custody.push({ at: new Date().toISOString(), event: 'job_started', detail: { host, pid: process.pid, attempt: row.attempts, software: ctx.softwareVersion } });

    const root = resolve(this.config.env.EXPORT_DIR);
    const writer = await BundleWriter.open(join(root, 'work', orgId, row.id), ctx);
    try {
      const total = await this.reader.count(orgId, row.filters);
      const withAttachments = row.formats.includes('attachments');
      let processed = 0;
      let attachments = 0;
      let lastProgress = 0; // the first batch reports at once
      // The next batch is read while this one is written: database and Node work overlap.
      const read = (after: ExportPosition | null) => {
        const batch = this.reader.batch(orgId, row.filters, after, this.batchSize);
        batch.catch(() => undefined); // awaited below; a failure while the previous batch is written must not go unhandled
        return batch;
      };
      let next = read(null);
      for (;;) {
        const { posts, storageKeys, last } = await next;
        if (posts.length === 0) break;
        next = last && posts.length === this.batchSize ? read(last) : Promise.resolve({ posts: [], storageKeys: new Map<string, string>(), last: null });
        // Posts that came by email carry their original message (raw MIME) as a native file.
        const originals = withAttachments ? await this.reader.emailOriginals(orgId, posts.filter((p) => p.source.kind === 'email').map((p) => p.id)) : new Map<string, { inboundId: string; sizeBytes: number; sha256: string }>();
        if (withAttachments) {
          for (const post of posts) {
            for (const a of post.attachments) a.path = attachmentBundlePath(a);
            const original = originals.get(post.id);
            if (original) post.source.provenance = { ...post.source.provenance, originalMessagePath: attachmentBundlePath({ id: original.inboundId, fileName: 'original.eml' }) };
          }
        }
        await writer.addPosts(posts);
        if (withAttachments) {
          for (const post of posts) {
            for (const a of post.attachments) {
              await writer.addAttachment(a, this.storage.open(storageKeys.get(a.id)!));
              attachments++;
            }
            const original = originals.get(post.id);
            if (original) {
              const file = { id: original.inboundId, fileName: 'original.eml', contentType: 'message/rfc822', sizeBytes: original.sizeBytes, sha256: original.sha256, path: null };
              await writer.addAttachment(file, Readable.from([await this.reader.emailRaw(orgId, original.inboundId)]));
            }
          }
        }
        processed += posts.length;
        // At most one progress write a second: each is a committed transaction (a WAL flush),
        // which per batch cost more than reading the batch.
        if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = Date.now();
          await this.db.withOrg(orgId, (tx) => this.repo.progress(tx, row.id, total > 0 ? (processed / total) * 85 : 85, { total, processed, attachments }));
        }
      }
      await this.db.withOrg(orgId, (tx) => this.repo.progress(tx, row.id, 85, { total, processed, attachments }));
      custody.push({ at: new Date().toISOString(), event: 'posts_read', detail: { posts: processed, attachments, matchedAtStart: total } });

      // The chain head the manifest is sealed with: the last exported event when the audit log is
      // in the bundle (so export:verify can check the two agree), else the head right now.
      let auditHead: { seq: number; hash: string } | null = null;
      if (row.formats.includes('audit')) {
        let afterSeq = 0;
        let events = 0;
        for (;;) {
          const batch = await this.reader.auditBatch(orgId, afterSeq, AUDIT_BATCH);
          if (batch.length === 0) break;
          await writer.addAuditEvents(batch);
          events += batch.length;
          const last = batch[batch.length - 1];
          afterSeq = last.seq;
          auditHead = { seq: last.seq, hash: last.hash };
        }
        custody.push({ at: new Date().toISOString(), event: 'audit_log_read', detail: { events, lastSeq: afterSeq } });
        await this.db.withOrg(orgId, (tx) => this.repo.progress(tx, row.id, 90, { total, processed, attachments, auditEvents: events }));
      }

      ctx.auditHead = row.formats.includes('audit') ? auditHead : await this.reader.auditHead(orgId);
      const signer = await this.signing.signer(orgId);
      custody.push({ at: new Date().toISOString(), event: 'bundle_sealed', detail: { signingKey: signer.fingerprint, auditHead: ctx.auditHead } });
      const fileKey = bundleKey(orgId, row.id);
      await mkdir(dirname(this.exports.bundlePath(fileKey)), { recursive: true });
      let lastReport = Date.now();
      const finished = await writer.finish({
        zipPath: this.exports.bundlePath(fileKey),
        custody,
        signer,
        onProgress: (fraction) => {
          if (Date.now() - lastReport < 1000) return;
          lastReport = Date.now();
          void this.db
            .withOrg(orgId, (tx) => this.repo.progress(tx, row.id, 90 + fraction * 9, { total, processed, attachments }))
            .catch(() => undefined);
        },
      });
      const counts = { ...finished.counts, total, processed };
      await this.db.withOrg(orgId, async (tx) => {
        const done = await this.repo.complete(tx, row.id, {
          fileKey,
          sizeBytes: finished.sizeBytes,
          sha256: finished.sha256,
          manifestSha256: finished.manifestSha256,
          counts,
          ttlDays: this.config.env.EXPORT_TTL_DAYS,
        });
        if (done) {
          await this.audit.record(tx, systemActor(), {
            action: AuditAction.ExportCompleted,
            target: { type: 'export', id: row.id },
            data: { sha256: finished.sha256, manifestSha256: finished.manifestSha256, sizeBytes: finished.sizeBytes, counts, host, attempt: row.attempts },
          });
        }
      });
      this.log.info({ orgId, exportId: row.id, posts: processed, sizeBytes: finished.sizeBytes }, 'export completed');
    } finally {
      await writer.abort().catch(() => undefined);
    }
  }
}
