import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { badRequest, conflict, isUniqueViolation, notFound } from '../common/domain-error.js';
import type { Actor } from '../common/actor.js';
import { AuditAction, AuditService } from '../audit/audit.service.js';
import { DEFAULT_ORG_SETTINGS, OrgRepository, type OrgRow, type OrgSettings } from './org.repository.js';
import { TenantDatabase, type OrgTx } from './tenant-database.js';

export const ORG_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

@Injectable()
export class OrgService {
  constructor(
    private readonly repo: OrgRepository,
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
  ) {}

  async findBySlug(slug: string): Promise<OrgRow | null> {
    if (!ORG_SLUG.test(slug.toLowerCase())) return null;
    return this.db.unscoped((tx) => this.repo.findBySlug(tx, slug.toLowerCase()));
  }

  async listIds(): Promise<string[]> {
    return this.db.unscoped((tx) => this.repo.listIds(tx));
  }

  async get(orgId: string): Promise<OrgRow | null> {
    return this.db.withOrg(orgId, (tx) => this.repo.get(tx));
  }

  async getInTx(tx: OrgTx): Promise<OrgRow | null> {
    return this.repo.get(tx);
  }

  /** The org's settings inside the caller's transaction. */
  async settings(tx: OrgTx): Promise<OrgSettings> {
    return (await this.repo.get(tx))?.settings ?? DEFAULT_ORG_SETTINGS;
  }

  /** Admin change of name and settings, audited as one event with the before/after values. */
  async update(orgId: string, actor: Actor, name: string | undefined, settings: Partial<OrgSettings>): Promise<OrgRow> {
    return this.db.withOrg(orgId, async (tx) => {
      const before = await this.repo.get(tx);
      if (!before) throw notFound('Organisation');
      await this.repo.update(tx, name?.trim(), settings);
      const after = (await this.repo.get(tx))!;
      await this.audit.record(tx, actor, {
        action: AuditAction.OrgUpdated,
        target: { type: 'org', id: orgId },
        data: { from: { name: before.name, settings: before.settings }, to: { name: after.name, settings: after.settings } },
      });
      return after;
    });
  }

  /** Creates the org and runs `then` in the same transaction, scoped to the new org. */
  async create<T>(slug: string, name: string, then: (tx: OrgTx, org: OrgRow) => Promise<T>): Promise<{ org: OrgRow; result: T }> {
    if (!ORG_SLUG.test(slug)) {
      throw badRequest('invalid_org_slug', 'The slug must be lowercase letters, digits and hyphens (max 63)');
    }
    if (name.trim().length === 0 || name.length > 200) throw badRequest('invalid_org_name', 'The name must be 1 to 200 characters');
    try {
      return await this.db.withOrg(randomUUID(), async (tx) => {
        const org = await this.repo.insert(tx, slug, name.trim());
        return { org, result: await then(tx, org) };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'org_slug_key')) throw conflict('org_slug_taken', `An organisation with slug "${slug}" exists`);
      throw error;
    }
  }
}
