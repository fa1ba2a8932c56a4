import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { badRequest, conflict, notFound } from '../../common/domain-error.js';
import { decodeCursor, toPage, type Page } from '../../common/cursor.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { TenantDatabase, type OrgTx } from '../../tenancy/tenant-database.js';
import { LegalHoldRepository, type HoldCriteria, type HoldStatus, type LegalHoldRow } from './legal-hold.repository.js';

export interface HoldInput {
  matter?: string;
  description?: string;
  custodianIds?: string[];
  groupIds?: string[];
  startsAt?: string | null;
  endsAt?: string | null;
  keywords?: string[];
}

export type LegalHoldView = Omit<LegalHoldRow, 'cursorKey'> & {
  /** Posts this hold covers now (0 once released). Single-hold answers only. */
  heldPosts?: number;
};

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Legal holds: while active, every post a hold covers (and every reply in its conversation) is
 * kept with all its versions and its deletion marker. The database enforces it (`post.on_hold`,
 * recomputed in the same transaction as each change). Custodians are never told.
 */
@Injectable()
export class LegalHoldService {
  constructor(
    private readonly holds: LegalHoldRepository,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
  ) {}

  async create(auth: AuthContext, input: HoldInput & { matter: string }): Promise<LegalHoldView> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const criteria = await this.checked(tx, {
        matter: input.matter,
        description: input.description ?? '',
        custodianIds: input.custodianIds ?? [],
        groupIds: input.groupIds ?? [],
        startsAt: input.startsAt ?? null,
        endsAt: input.endsAt ?? null,
        keywords: input.keywords ?? [],
      });
      const id = await this.holds.insert(tx, criteria, auth.userId);
      const heldOrgWide = await this.holds.refresh(tx);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.LegalHoldCreated,
        target: { type: 'legal_hold', id },
        data: { ...criteria, heldOrgWide },
      });
      return this.view(tx, id);
    });
  }

  async get(orgId: string, id: string): Promise<LegalHoldView> {
    return this.db.withOrg(orgId, (tx) => this.view(tx, id));
  }

  async list(orgId: string, status: HoldStatus | undefined, limit: number, cursor?: string): Promise<Page<LegalHoldView>> {
    const key = decodeCursor(cursor, 2);
    if (key && (!TIMESTAMP.test(String(key[0])) || !UUID.test(String(key[1])))) throw badRequest('invalid_cursor', 'The cursor is not valid for this list');
    const rows = await this.db.withOrg(orgId, (tx) => this.holds.list(tx, status ?? null, key ? [String(key[0]), String(key[1])] : null, limit + 1));
    return toPage(rows, limit, (r) => [r.cursorKey, r.id], ({ cursorKey: _, ...view }) => view);
  }

  /** Changes criteria, or releases with a reason; a released hold is final. */
  async update(auth: AuthContext, id: string, changes: HoldInput, release?: { reason: string }): Promise<LegalHoldView> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const hold = await this.holds.find(tx, id, true);
      if (!hold) throw notFound('Legal hold');
      if (hold.status === 'released') throw conflict('hold_released', 'A released hold cannot be changed');
      const sent = Object.entries(changes).filter(([, v]) => v !== undefined);
      if (release && sent.length > 0) throw badRequest('release_with_changes', 'Release a hold on its own, without other changes');
      if (release) {
        await this.holds.release(tx, id, auth.userId, release.reason);
        const heldOrgWide = await this.holds.refresh(tx);
        await this.audit.record(tx, auth.actor, {
          action: AuditAction.LegalHoldReleased,
          target: { type: 'legal_hold', id },
          data: { matter: hold.matter, reason: release.reason, heldOrgWide },
        });
        return this.view(tx, id);
      }
      const current = criteriaOf(hold);
      const next = await this.checked(tx, { ...current, ...Object.fromEntries(sent) });
      const diff = Object.fromEntries(
        (Object.keys(next) as (keyof HoldCriteria)[])
          .filter((k) => JSON.stringify(current[k]) !== JSON.stringify(next[k]))
          .map((k) => [k, { from: current[k], to: next[k] }]),
      );
      if (Object.keys(diff).length > 0) {
        await this.holds.update(tx, id, next);
        const heldOrgWide = await this.holds.refresh(tx);
        await this.audit.record(tx, auth.actor, {
          action: AuditAction.LegalHoldUpdated,
          target: { type: 'legal_hold', id },
          data: { changes: diff, heldOrgWide },
        });
      }
      return this.view(tx, id);
    });
  }

  /** Normalised criteria, with custodians and groups checked against the org. */
  private async checked(tx: OrgTx, c: HoldCriteria): Promise<HoldCriteria> {
    const custodianIds = [...new Set(c.custodianIds.map((id) => id.toLowerCase()))];
    const groupIds = [...new Set(c.groupIds.map((id) => id.toLowerCase()))];
    const users = new Set(await this.holds.existingUserIds(tx, custodianIds));
    const unknownUsers = custodianIds.filter((id) => !users.has(id));
    if (unknownUsers.length > 0) {
      throw badRequest('unknown_custodians', `Not users of this organisation: ${unknownUsers.join(', ')}`, { unknownIds: unknownUsers });
    }
    const groups = new Set(await this.holds.existingGroupIds(tx, groupIds));
    const unknownGroups = groupIds.filter((id) => !groups.has(id));
    if (unknownGroups.length > 0) {
      throw badRequest('unknown_groups', `Not groups of this organisation: ${unknownGroups.join(', ')}`, { unknownIds: unknownGroups });
    }
    const startsAt = c.startsAt === null ? null : new Date(c.startsAt).toISOString();
    const endsAt = c.endsAt === null ? null : new Date(c.endsAt).toISOString();
    if (startsAt !== null && endsAt !== null && startsAt >= endsAt) throw badRequest('invalid_range', 'startsAt must be before endsAt');
    const keywords = [...new Set(c.keywords)];
    return { matter: c.matter, description: c.description, custodianIds, groupIds, startsAt, endsAt, keywords };
  }

  private async view(tx: OrgTx, id: string): Promise<LegalHoldView> {
    const hold = await this.holds.find(tx, id);
    if (!hold) throw notFound('Legal hold');
    const { cursorKey: _, ...view } = hold;
    return { ...view, heldPosts: hold.status === 'active' ? await this.holds.coveredCount(tx, id) : 0 };
  }
}

function criteriaOf(h: LegalHoldRow): HoldCriteria {
  return {
    matter: h.matter,
    description: h.description,
    custodianIds: h.custodianIds,
    groupIds: h.groupIds,
    startsAt: h.startsAt?.toISOString() ?? null,
    endsAt: h.endsAt?.toISOString() ?? null,
    keywords: h.keywords,
  };
}
