import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { badRequest, notFound } from '../../common/domain-error.js';
import { decodeCursor, toPage, type Page } from '../../common/cursor.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { JobQueue } from '../../jobs/job-queue.js';
import { JobName } from '../../jobs/job.types.js';
import { TenantDatabase } from '../../tenancy/tenant-database.js';
import { RetentionPolicyRepository, type GroupOverrideRow, type RetentionPolicyRow } from './retention-policy.repository.js';
import { RetentionSweepRepository, type SweepRow } from './retention-sweep.repository.js';

export interface RetentionPolicyView extends RetentionPolicyRow {
  groups: GroupOverrideRow[];
}

export interface PreviewScope {
  groupId: string | null;
  groupName: string;
  /** Effective retain days of the scope; null keeps forever. */
  retainDays: number | null;
  due: number;
  dueDeleted: number;
  protectedByHolds: number;
  waitingForReplies: number;
}

export interface RetentionPreview {
  asOf: string;
  deletedGraceDays: number;
  scopes: PreviewScope[];
  totals: Omit<PreviewScope, 'groupId' | 'groupName' | 'retainDays'>;
}

export type SweepView = Omit<SweepRow, 'cursorKey'>;

export const COMPANY_STREAM = 'Company stream';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Retention policies (org default, group overrides), the preview, and sweep requests. Every change audited. */
@Injectable()
export class RetentionService {
  constructor(
    private readonly policies: RetentionPolicyRepository,
    private readonly sweeps: RetentionSweepRepository,
    private readonly audit: AuditService,
    private readonly queue: JobQueue,
    private readonly db: TenantDatabase,
  ) {}

  async get(orgId: string): Promise<RetentionPolicyView> {
    return this.db.withOrg(orgId, async (tx) => ({ ...(await this.policies.policy(tx)), groups: await this.policies.groupOverrides(tx) }));
  }

  async update(auth: AuthContext, next: RetentionPolicyRow): Promise<RetentionPolicyView> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      await this.policies.lock(tx);
      const before = await this.policies.policy(tx);
      await this.policies.upsert(tx, next, auth.userId);
      if (before.retainDays !== next.retainDays || before.deletedGraceDays !== next.deletedGraceDays) {
        await this.audit.record(tx, auth.actor, {
          action: AuditAction.RetentionPolicyUpdated,
          target: { type: 'org', id: auth.orgId },
          data: { before, after: next },
        });
      }
      return { ...(await this.policies.policy(tx)), groups: await this.policies.groupOverrides(tx) };
    });
  }

  /** `retainDays` null keeps the group's posts forever, whatever the org default. */
  async setGroup(auth: AuthContext, groupId: string, retainDays: number | null): Promise<GroupOverrideRow> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      await this.policies.lock(tx);
      const groupName = await this.policies.groupName(tx, groupId);
      if (groupName === null) throw notFound('Group');
      const before = await this.policies.groupOverride(tx, groupId);
      await this.policies.upsertGroupOverride(tx, groupId, retainDays, auth.userId);
      if (before === undefined || before.retainDays !== retainDays) {
        await this.audit.record(tx, auth.actor, {
          action: AuditAction.RetentionGroupPolicyUpdated,
          target: { type: 'group', id: groupId },
          data: { before: before ?? 'inherit', after: { retainDays } },
        });
      }
      return { groupId, groupName, retainDays };
    });
  }

  /** Back to the org default. */
  async clearGroup(auth: AuthContext, groupId: string): Promise<void> {
    await this.db.withOrg(auth.orgId, async (tx) => {
      await this.policies.lock(tx);
      if ((await this.policies.groupName(tx, groupId)) === null) throw notFound('Group');
      const before = await this.policies.groupOverride(tx, groupId);
      if (before === undefined) return;
      await this.policies.deleteGroupOverride(tx, groupId);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.RetentionGroupPolicyUpdated,
        target: { type: 'group', id: groupId },
        data: { before, after: 'inherit' },
      });
    });
  }

  /** What the next sweep would purge now, per scope (company stream and every group with posts). */
  async preview(orgId: string): Promise<RetentionPreview> {
    const asOf = new Date().toISOString();
    return this.db.withOrg(orgId, async (tx) => {
      const policy = await this.policies.policy(tx);
      const scopes = await this.policies.scopes(tx, asOf);
      const rows = await this.sweeps.preview(tx, scopes, await this.policies.deletedCutoff(tx, asOf));
      const byScope = new Map(rows.map((r) => [r.groupId, r]));
      const views = scopes
        .filter((s) => s.groupId === null || s.hasPosts)
        .map((s): PreviewScope => {
          const r = byScope.get(s.groupId);
          return {
            groupId: s.groupId,
            groupName: s.groupName ?? COMPANY_STREAM,
            retainDays: s.retainDays,
            due: r?.due ?? 0,
            dueDeleted: r?.dueDeleted ?? 0,
            protectedByHolds: r?.protectedByHolds ?? 0,
            waitingForReplies: r?.waitingForReplies ?? 0,
          };
        });
      const sum = (k: 'due' | 'dueDeleted' | 'protectedByHolds' | 'waitingForReplies') => views.reduce((n, v) => n + v[k], 0);
      return {
        asOf,
        deletedGraceDays: policy.deletedGraceDays,
        scopes: views,
        totals: { due: sum('due'), dueDeleted: sum('dueDeleted'), protectedByHolds: sum('protectedByHolds'), waitingForReplies: sum('waitingForReplies') },
      };
    });
  }

  /** Queues a sweep of the org now (a waiting one absorbs it); audited. */
  async requestSweep(auth: AuthContext): Promise<void> {
    await this.db.withOrg(auth.orgId, (tx) =>
      this.audit.record(tx, auth.actor, { action: AuditAction.RetentionSweepRequested, target: { type: 'org', id: auth.orgId } }),
    );
    await this.queue.enqueue(JobName.RetentionSweep, { orgId: auth.orgId, trigger: 'manual', requestedBy: auth.userId });
  }

  async listSweeps(orgId: string, limit: number, cursor?: string): Promise<Page<SweepView>> {
    const key = decodeCursor(cursor, 2);
    if (key && (!TIMESTAMP.test(String(key[0])) || !UUID.test(String(key[1])))) throw badRequest('invalid_cursor', 'The cursor is not valid for this list');
    const rows = await this.db.withOrg(orgId, (tx) => this.sweeps.list(tx, key ? [String(key[0]), String(key[1])] : null, limit + 1));
    return toPage(rows, limit, (r) => [r.cursorKey, r.id], ({ cursorKey: _, ...view }) => view);
  }
}
