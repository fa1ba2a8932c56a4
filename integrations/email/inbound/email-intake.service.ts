import { Inject, Injectable } from '@nestjs/common';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { UserService, type UserView } from '../../../src/identity/user.service.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { OrgService } from '../../../src/tenancy/org.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { bareAddress } from '../email-addresses.js';
import { EmailError, EmailErrorCode } from '../email-error.js';
import { EmailAuthenticator, type AuthVerdict, type SenderEvidence } from './email-authenticator.js';
import { EmailInboundRepository, type EmailChannel } from './email-inbound.repository.js';
import type { ResolvedRecipient } from './email-recipients.service.js';
import { EmailRateLimits } from './email-rate-limits.js';

export interface IntakeResult {
  messageId: string;
  /** Rows stored now (one per target); duplicates of an earlier delivery are not stored again. */
  stored: number;
  duplicates: number;
  /** Set when the message was deliberately not posted (an auto-reply), though answered as delivered. */
  dropped: string | null;
}

/** What the intake knows about a message before storing it: its headers, read once. */
export interface MessageHeaders {
  from: string;
  messageId: string;
  subject: string | null;
  autoSubmitted: boolean;
  /** To, Cc and Delivered-To: the recipients when no envelope names them (a provider webhook). */
  recipients: string[];
}

/**
 * The one door of inbound email (SMTP listener and provider webhook): who sent it (an active
 * user of the org, DKIM/DMARC-aligned From or the group's secret address), per-sender and per-org
 * limits, then the raw message is stored (one row per target, unique per Message-ID) and committed
 * before the caller answers; a job parses and posts it. Nothing is stored for a refused message.
 */
@Injectable()
export class EmailIntake {
  constructor(
    private readonly users: UserService,
    private readonly orgs: OrgService,
    private readonly authenticator: EmailAuthenticator,
    private readonly limits: EmailRateLimits,
    private readonly inbound: EmailInboundRepository,
    private readonly jobs: JobQueue,
    private readonly db: TenantDatabase,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** `known`: the headers when the caller has read them already. */
  async accept(raw: Buffer, recipients: ResolvedRecipient[], evidence: SenderEvidence, channel: EmailChannel, known?: MessageHeaders): Promise<IntakeResult> {
    if (recipients.length === 0) throw new EmailError(EmailErrorCode.RecipientUnknown, 'The message is not addressed to any Chorus address');
    const headers = known ?? (await readHeaders(raw));
    if (headers.autoSubmitted) {
      // Out-of-office answers to notification emails must not become replies, nor be bounced (loops).
      this.log.info({ messageId: headers.messageId, channel }, 'automatic email dropped');
      return { messageId: headers.messageId, stored: 0, duplicates: 0, dropped: 'auto-submitted' };
    }

    // Every org's checks pass before anything is stored: a message is accepted whole or not at all.
    let verdict: AuthVerdict | null = null;
    const plans: Array<{ orgId: string; user: UserView; targets: ResolvedRecipient[]; method: 'dkim' | 'dmarc' | 'secret-address'; summary: AuthVerdict['summary'] }> = [];
    for (const [orgId, targets] of groupBy(recipients, (r) => r.orgId)) {
      const user = await this.users.findByEmail(orgId, headers.from);
      if (!user || user.status !== 'active') {
        throw new EmailError(EmailErrorCode.SenderUnknown, `${headers.from} is not an active Chorus user of this organisation`);
      }
      if (targets.some((t) => t.reply && t.reply.userId !== user.id)) {
        throw new EmailError(EmailErrorCode.SenderMismatch, 'This reply address belongs to another person; reply from the address the notification was sent to');
      }
      verdict ??= await this.authenticator.verify(raw, evidence);
      const settings = await this.db.withOrg(orgId, (tx) => this.orgs.settings(tx));
      const bySecret = settings.emailSecretAddresses && targets.every((t) => t.secretAddress);
      if (!verdict.passed && !bySecret) {
        throw new EmailError(
          EmailErrorCode.NotAuthenticated,
          `The message could not be verified as sent by ${domainOf(headers.from)}: it needs a valid DKIM signature of that domain or a DMARC pass`,
        );
      }
      plans.push({ orgId, user, targets, method: verdict.method ?? 'secret-address', summary: verdict.summary });
    }

    const rawSha256 = createHash('sha256').update(raw).digest();
    let stored = 0;
    let duplicates = 0;
    for (const plan of plans) {
      await this.limits.consume(headers.from, plan.orgId);
      const jobs = await this.db.withOrg(plan.orgId, async (tx) => {
        const ids: string[] = [];
        for (const t of plan.targets) {
          const id = await this.inbound.insert(tx, {
            messageId: headers.messageId,
            targetKey: t.targetKey,
            channel,
            envelopeFrom: evidence.envelopeFrom,
            fromAddress: headers.from,
            userId: plan.user.id,
            groupId: t.groupId,
            replyTokenId: t.reply?.tokenId ?? null,
            parentPostId: t.reply?.postId ?? null,
            raw,
            rawSha256,
            auth: { method: plan.method, ...plan.summary },
            remoteIp: evidence.ip,
          });
          if (id) {
            stored++;
            ids.push(id);
          } else {
            duplicates++;
            // A redelivery whose first copy is still pending (its job may have been lost) gets a job again.
            const pending = await this.inbound.pendingIdOf(tx, headers.messageId, t.targetKey);
            if (pending) ids.push(pending);
          }
        }
        return ids;
      });
      for (const inboundId of jobs) await this.jobs.enqueue(JobName.EmailProcessInbound, { orgId: plan.orgId, inboundId });
    }
    this.log.info({ messageId: headers.messageId, channel, stored, duplicates }, 'email accepted');
    return { messageId: headers.messageId, stored, duplicates, dropped: null };
  }
}

/** From, Message-ID, Subject and whether it is an automatic message (RFC 3834), from the raw header block. */
export async function readHeaders(raw: Buffer): Promise<MessageHeaders> {
  const end = headerEnd(raw);
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw.subarray(0, end), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  } catch {
    throw new EmailError(EmailErrorCode.MessageInvalid, 'The message is not valid MIME');
  }
  const from = parsed.from?.value.filter((a) => a.address) ?? [];
  if (from.length !== 1) throw new EmailError(EmailErrorCode.MessageInvalid, 'The message must have exactly one From address');
  const messageId = parsed.messageId?.trim() || `<sha256.${createHash('sha256').update(raw).digest('hex')}@chorus.invalid>`;
  const auto = String(parsed.headers.get('auto-submitted') ?? 'no').toLowerCase();
  const precedence = String(parsed.headers.get('precedence') ?? '').toLowerCase();
  const autoSubmitted =
    (auto !== 'no' && auto !== '') ||
    ['bulk', 'junk', 'auto_reply', 'list'].includes(precedence) ||
    parsed.headers.has('x-autoreply') ||
    parsed.headers.has('x-autorespond');
  const addresses = (v: ParsedMail['to']) => (v ? (Array.isArray(v) ? v : [v]).flatMap((a) => a.value.map((x) => x.address ?? '')) : []);
  const delivered = parsed.headers.get('delivered-to');
  const recipients = [...addresses(parsed.to), ...addresses(parsed.cc), ...(typeof delivered === 'string' ? [delivered] : [])].filter((a) => a.includes('@'));
  return { from: bareAddress(from[0].address!), messageId: messageId.slice(0, 1000), subject: parsed.subject ?? null, autoSubmitted, recipients };
}

/** Where the header block ends (the first empty line), or the whole message. */
function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf === -1 ? -1 : crlf + 4, lf === -1 ? -1 : lf + 2].filter((n) => n > 0);
  return ends.length > 0 ? Math.min(...ends) : raw.length;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}
