import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '../../../src/audit/audit.service.js';
import { forbidden } from '../../../src/common/domain-error.js';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { GroupService } from '../../../src/groups/group.service.js';
import { OrgService } from '../../../src/tenancy/org.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { emailLocalPart, groupAddress, hashAddressToken, newAddressToken } from '../email-addresses.js';
import { EmailAddressRepository } from './email-inbound.repository.js';
import { EmailRecipients } from './email-recipients.service.js';

export interface GroupEmailAddressView {
  /** Mail this address to post in the group (a DKIM-signed or DMARC-passing message from your Chorus email). */
  address: string;
  /** Whether the group has a secret address, and since when (the secret is shown only when it is made). */
  secretAddressCreatedAt: Date | null;
  /** Whether mail to the secret address is accepted without DKIM/DMARC (the org's `emailSecretAddresses`). */
  secretAddressSkipsAuthentication: boolean;
  /** Another open group folds to the same address: rename one of them for either to receive mail. */
  ambiguous: boolean;
}

/** A group's posting address and its rotating secret variant (owners and admins). */
@Injectable()
export class GroupEmailAddressService {
  constructor(
    private readonly groups: GroupService,
    private readonly recipients: EmailRecipients,
    private readonly addresses: EmailAddressRepository,
    private readonly orgs: OrgService,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
  ) {}

  async get(auth: AuthContext, groupId: string): Promise<GroupEmailAddressView> {
    const group = await this.groups.get(auth, groupId);
    const domain = this.recipients.postingDomain;
    return this.db.withOrg(auth.orgId, async (tx) => {
      const org = (await this.orgs.getInTx(tx))!;
      const same = await this.addresses.groupsByLocal(tx, emailLocalPart(group.name));
      return {
        address: groupAddress(org.slug, group.name, domain),
        secretAddressCreatedAt: await this.addresses.hasSecret(tx, groupId),
        secretAddressSkipsAuthentication: org.settings.emailSecretAddresses,
        ambiguous: same.length > 1,
      };
    });
  }

  /** A new secret address; the previous one stops working at once. The secret is shown only here. */
  async rotateSecret(auth: AuthContext, groupId: string): Promise<{ address: string }> {
    const group = await this.manageable(auth, groupId);
    const domain = this.recipients.postingDomain;
    const secret = newAddressToken();
    return this.db.withOrg(auth.orgId, async (tx) => {
      const org = (await this.orgs.getInTx(tx))!;
      await this.addresses.setSecret(tx, groupId, hashAddressToken(secret), auth.userId);
      await this.audit.record(tx, auth.actor, { action: AuditAction.EmailSecretAddressRotated, target: { type: 'group', id: groupId } });
      return { address: groupAddress(org.slug, group.name, domain, secret) };
    });
  }

  async removeSecret(auth: AuthContext, groupId: string): Promise<void> {
    await this.manageable(auth, groupId);
    await this.db.withOrg(auth.orgId, async (tx) => {
      if (await this.addresses.removeSecret(tx, groupId)) {
        await this.audit.record(tx, auth.actor, { action: AuditAction.EmailSecretAddressRemoved, target: { type: 'group', id: groupId } });
      }
    });
  }

  private async manageable(auth: AuthContext, groupId: string) {
    const group = await this.groups.get(auth, groupId);
    if (group.myRole !== 'owner' && auth.role !== 'admin') throw forbidden('Only group owners and admins can manage the secret address');
    return group;
  }
}
