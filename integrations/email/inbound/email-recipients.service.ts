import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../../src/config/app-config.js';
import { OrgService } from '../../../src/tenancy/org.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { COMPANY_LOCAL, hashAddressToken, parseChorusAddress, REPLY_LOCAL } from '../email-addresses.js';
import { EmailError, EmailErrorCode } from '../email-error.js';
import { EmailReplyTokenRepository } from '../email-reply-token.repository.js';
import { EmailAddressRepository } from './email-inbound.repository.js';

/** A recipient address resolved to what a message to it does. */
export interface ResolvedRecipient {
  address: string;
  orgId: string;
  orgSlug: string;
  /** A group post, a company-stream post, or a reply as the token's user. */
  kind: 'group' | 'company' | 'reply';
  groupId: string | null;
  /** Addressed to the group's secret variant (checked against its hash). */
  secretAddress: boolean;
  reply: { tokenId: string; userId: string; postId: string } | null;
  /** Unique per org and target: with the Message-ID, the dedupe key of a message. */
  targetKey: string;
}

const unknown = (address: string) => new EmailError(EmailErrorCode.RecipientUnknown, `No such Chorus address: ${address}`);

/**
 * RCPT TO (and a webhook's envelope recipients): which of our addresses a message is for. Anything
 * not ours, an unknown org or group, an ambiguous group name, a wrong secret or an expired reply
 * token is refused the same way, so addresses cannot be probed.
 */
@Injectable()
export class EmailRecipients {
  constructor(
    private readonly config: AppConfig,
    private readonly orgs: OrgService,
    private readonly addresses: EmailAddressRepository,
    private readonly replyTokens: EmailReplyTokenRepository,
    private readonly db: TenantDatabase,
  ) {}

  get postingDomain(): string {
    const domain = this.config.env.POSTING_DOMAIN;
    if (!domain) throw new EmailError(EmailErrorCode.NotConfigured, 'Posting by email is not configured on this server (POSTING_DOMAIN)');
    return domain;
  }

  async resolve(address: string): Promise<ResolvedRecipient> {
    const parsed = parseChorusAddress(address, this.postingDomain);
    if (!parsed) throw unknown(address);
    const org = await this.orgs.findBySlug(parsed.orgSlug);
    if (!org) throw unknown(address);
    const base = { address: address.toLowerCase(), orgId: org.id, orgSlug: org.slug };
    return this.db.withOrg(org.id, async (tx): Promise<ResolvedRecipient> => {
      if (parsed.local === REPLY_LOCAL) {
        const token = parsed.tag ? await this.replyTokens.findLive(tx, parsed.tag) : null;
        if (!token) throw new EmailError(EmailErrorCode.ReplyTokenInvalid, 'This reply address is unknown or has expired; reply in Chorus instead');
        const reply = { tokenId: token.id, userId: token.userId, postId: token.postId };
        return { ...base, kind: 'reply', groupId: null, secretAddress: false, reply, targetKey: `reply:${token.postId}` };
      }
      const groups = await this.addresses.groupsByLocal(tx, parsed.local);
      if (groups.length > 1) throw unknown(address);
      if (groups.length === 0) {
        if (parsed.local === COMPANY_LOCAL && parsed.tag === null) {
          return { ...base, kind: 'company', groupId: null, secretAddress: false, reply: null, targetKey: 'company' };
        }
        throw unknown(address);
      }
      const group = groups[0];
      let secretAddress = false;
      if (parsed.tag !== null) {
        const stored = await this.addresses.secretHash(tx, group.id);
        if (!stored || !timingSafeEqual(stored, hashAddressToken(parsed.tag))) throw unknown(address);
        secretAddress = true;
      }
      return { ...base, kind: 'group', groupId: group.id, secretAddress, reply: null, targetKey: `group:${group.id}` };
    });
  }
}
