import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AttachmentStorage } from '../../attachments/attachment-storage.js';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { systemActor } from '../../common/actor.js';
import { LOGGER } from '../../common/logger.module.js';
import { AppConfig } from '../../config/app-config.js';
import { JobQueue } from '../../jobs/job-queue.js';
import { JobRegistry } from '../../jobs/job-registry.js';
import { JobName } from '../../jobs/job.types.js';
import { OrgService } from '../../tenancy/org.service.js';
import { TenantDatabase, type OrgTx } from '../../tenancy/tenant-database.js';
import { RetentionPolicyRepository } from './retention-policy.repository.js';
import { RetentionSweepRepository, type DueRow, type PurgedRow, type ScopeCutoff, type SweepTrigger } from './retention-sweep.repository.js';

export interface SweepCounts {
  /** Posts purged per scope: a group id, or `company` for the company stream. */
  byScope: Record<string, number>;
  purged: number;
  /** Purged because deleted by a user longer than the grace period (and not already due by age). */
  deletedPurged: number;
  /** Attachment rows of purged posts. */
  attachmentsRemoved: number;
  /** Uploads never attached to a post, removed after a day. */
  orphanUploadsRemoved: number;
  /** Files deleted from attachment storage (purged posts, orphan uploads, leftovers of earlier sweeps). */
  filesRemoved: number;
  /** Held posts that would otherwise have been due. */
  heldSkipped: number;
  batches: number;
}

export interface SweepResult {
  sweepId: string;
  interrupted: string[];
  counts: SweepCounts;
}

/** Test hook (not reachable over HTTP): stop like a dead worker after this many purge batches. */
export interface SweepOptions {
  stopAfterBatches?: number;
}

/** Thrown by the test hook: the sweep row stays `running`, as when a worker dies. */
export class SweepStopped extends Error {}

/** A running sweep that has not committed a batch for this long is taken for dead. */
const STALE_SWEEP_MINUTES = 15;
const ORPHAN_UPLOAD_AGE_MS = 24 * 60 * 60 * 1000;
const STORAGE_GC_BATCH = 500;

/**
 * Deletes what the org's retention policy says is due, in short transactions of at most
 * RETENTION_BATCH_SIZE posts: replies first, then roots (a root goes only with or after all its
 * replies), never a held post. Stateless selection, so a crashed sweep is simply run again.
 */
@Injectable()
export class RetentionSweeper implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly queue: JobQueue,
    private readonly orgs: OrgService,
    private readonly db: TenantDatabase,
    private readonly policies: RetentionPolicyRepository,
    private readonly sweeps: RetentionSweepRepository,
    private readonly storage: AttachmentStorage,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.ScheduleRetentionSweeps, async () => {
      for (const orgId of await this.orgs.listIds()) {
        await this.queue.enqueue(JobName.RetentionSweep, { orgId, trigger: 'schedule', requestedBy: null });
      }
    });
    this.registry.register(JobName.RetentionSweep, async ({ orgId, trigger, requestedBy }) => {
      const result = await this.sweep(orgId, trigger, requestedBy);
      if (!result) return;
      const { counts } = result;
      if (counts.purged + counts.orphanUploadsRemoved > 0) this.log.info({ orgId, ...counts }, 'retention sweep purged content');
    });
  }

  /** Sweeps the org; null when another live sweep of it is running (nothing is done then). */
  async sweep(orgId: string, trigger: SweepTrigger, requestedBy: string | null, options: SweepOptions = {}): Promise<SweepResult | null> {
    const asOf = new Date().toISOString();
    const plan = await this.db.withOrg(orgId, async (tx) => {
      const { interrupted, busy } = await this.sweeps.claim(tx, STALE_SWEEP_MINUTES);
      if (busy) return null;
      const sweepId = await this.sweeps.insertSweep(tx, trigger, requestedBy);
      const scopes = (await this.policies.scopes(tx, asOf)).map(({ groupId, cutoff }) => ({ groupId, cutoff }));
      return { sweepId, interrupted, scopes, deletedCutoff: await this.policies.deletedCutoff(tx, asOf) };
    });
    if (!plan) {
      // Another worker is sweeping this org right now (it reported within STALE_SWEEP_MINUTES).
      this.log.info({ orgId, trigger }, 'retention sweep skipped: another sweep of this org is running');
      return null;
    }
    const run = new SweepRun(plan.sweepId, options);
    try {
      await this.removeFiles(orgId, run);
      for (const replies of [true, false]) {
        for (const scope of plan.scopes.filter((s): s is ScopeCutoff & { cutoff: string } => s.cutoff !== null)) {
          await this.purgeAll(orgId, run, false, (tx, after, n) => this.sweeps.dueByAge(tx, scope, replies, after, n));
        }
        await this.purgeAll(orgId, run, true, (tx, after, n) => this.sweeps.dueByDeletion(tx, plan.deletedCutoff, replies, after, n));
      }
      await this.purgeOrphanUploads(orgId, run, new Date(Date.parse(asOf) - ORPHAN_UPLOAD_AGE_MS).toISOString());
      await this.db.withOrg(orgId, async (tx) => {
        run.counts.heldSkipped = await this.sweeps.heldDue(tx, plan.scopes, plan.deletedCutoff);
        await this.sweeps.finish(tx, plan.sweepId, 'completed', { ...run.counts }, null);
        await this.audit.record(tx, systemActor(), {
          action: AuditAction.RetentionSweepCompleted,
          target: { type: 'retention_sweep', id: plan.sweepId },
          data: { trigger, requestedBy, ...run.counts },
        });
      });
    } catch (error) {
      if (!(error instanceof SweepStopped)) {
        await this.db.withOrg(orgId, (tx) => this.sweeps.finish(tx, plan.sweepId, 'failed', { ...run.counts }, String(error)));
      }
      throw error;
    }
    return { sweepId: plan.sweepId, interrupted: plan.interrupted, counts: run.counts };
  }

  /** Batches until the selection is exhausted; the keyset moves past skipped rows, so it always ends. */
  private async purgeAll(
    orgId: string,
    run: SweepRun,
    byDeletion: boolean,
    select: (tx: OrgTx, after: [string, string] | null, limit: number) => Promise<DueRow[]>,
  ): Promise<void> {
    const limit = this.config.env.RETENTION_BATCH_SIZE;
    let after: [string, string] | null = null;
    for (;;) {
      const from: [string, string] | null = after;
      const batch = await this.db.withOrg(orgId, async (tx) => {
        const due = await select(tx, from, limit);
        if (due.length === 0) return null;
        const purged = await this.sweeps.purge(tx, due.map((r) => r.id));
        await this.sweeps.updateCounts(tx, run.sweepId, run.withPurged(purged, byDeletion));
        return { last: due[due.length - 1], full: due.length === limit, purged };
      });
      if (!batch) return;
      after = [batch.last.key, batch.last.id];
      await this.removeFiles(orgId, run);
      run.batchCommitted(batch.purged, byDeletion);
      if (!batch.full) return;
    }
  }

  private async purgeOrphanUploads(orgId: string, run: SweepRun, before: string): Promise<void> {
    const limit = this.config.env.RETENTION_BATCH_SIZE;
    for (;;) {
      const removed = await this.db.withOrg(orgId, (tx) => this.sweeps.purgeOrphanUploads(tx, before, limit));
      run.counts.orphanUploadsRemoved += removed;
      await this.removeFiles(orgId, run);
      if (removed < limit) return;
    }
  }

  /** Files go only after the rows that named them are committed away; then their queue rows. */
  private async removeFiles(orgId: string, run: SweepRun): Promise<void> {
    for (;;) {
      const keys = await this.db.withOrg(orgId, (tx) => this.sweeps.storageGarbage(tx, STORAGE_GC_BATCH));
      if (keys.length === 0) return;
      for (const key of keys) await this.storage.remove(key);
      await this.db.withOrg(orgId, (tx) => this.sweeps.forgetStorageGarbage(tx, keys));
      run.counts.filesRemoved += keys.length;
      if (keys.length < STORAGE_GC_BATCH) return;
    }
  }
}

/** Running counts of one sweep, and the test hook's batch budget. */
class SweepRun {
  readonly counts: SweepCounts = {
    byScope: {},
    purged: 0,
    deletedPurged: 0,
    attachmentsRemoved: 0,
    orphanUploadsRemoved: 0,
    filesRemoved: 0,
    heldSkipped: 0,
    batches: 0,
  };

  constructor(
    readonly sweepId: string,
    private readonly options: SweepOptions,
  ) {}

  /** The counts as they will be once this batch commits (written in the batch's own transaction). */
  withPurged(purged: PurgedRow[], byDeletion: boolean): SweepCounts {
    const next = structuredClone(this.counts);
    addPurged(next, purged, byDeletion);
    next.batches += 1;
    return next;
  }

  /** After the batch committed: counts it, and stops like a dead worker when the test hook says so. */
  batchCommitted(purged: PurgedRow[], byDeletion: boolean): void {
    addPurged(this.counts, purged, byDeletion);
    this.counts.batches += 1;
    const stopAfter = this.options.stopAfterBatches;
    if (stopAfter !== undefined && this.counts.batches >= stopAfter) throw new SweepStopped(`stopped after ${stopAfter} batches`);
  }
}

function addPurged(counts: SweepCounts, purged: PurgedRow[], byDeletion: boolean): void {
  for (const row of purged) {
    const scope = row.groupId ?? 'company';
    counts.byScope[scope] = (counts.byScope[scope] ?? 0) + 1;
    counts.attachmentsRemoved += row.attachments;
  }
  counts.purged += purged.length;
  if (byDeletion) counts.deletedPurged += purged.length;
}
