import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { AuditAction, AuditService } from '../audit/audit.service.js';
import { OrgService } from '../tenancy/org.service.js';
import type { OrgRow } from '../tenancy/org.repository.js';
import { hashPassword } from './secrets.js';
import { checkPassword, UserService, type CreateUserInput, type UserView } from './user.service.js';

/** Creates an organisation with its first admin in one transaction (CLI and demo seed). */
@Injectable()
export class OrgProvisioningService {
  constructor(
    private readonly orgs: OrgService,
    private readonly users: UserService,
    private readonly audit: AuditService,
  ) {}

  async createOrg(actor: Actor, slug: string, name: string, admin: Omit<CreateUserInput, 'role'>): Promise<{ org: OrgRow; admin: UserView }> {
    const passwordHash = admin.password !== undefined ? await hashPassword(checkPassword(admin.password)) : null;
    const { org, result } = await this.orgs.create(slug, name, async (tx, created) => {
      await this.audit.record(tx, actor, { action: AuditAction.OrgCreated, target: { type: 'org', id: created.id }, data: { slug, name } });
      return this.users.createInTx(tx, actor, { ...admin, role: 'admin' }, passwordHash);
    });
    return { org, admin: result };
  }
}
