import { Inject, Injectable } from '@nestjs/common';
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import { AttachmentService } from '../../../src/attachments/attachment.service.js';
import { DomainError, isUniqueViolation } from '../../../src/common/domain-error.js';
import { LOGGER } from '../../../src/common/logger.module.js';
import { bridgeAuth, type AuthContext } from '../../../src/identity/auth-context.js';
import { UserService } from '../../../src/identity/user.service.js';
import { JOB_POLICY, JobName, type JobData } from '../../../src/jobs/job.types.js';
import { PostService } from '../../../src/posts/post.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { EmailError, EmailErrorCode } from '../email-error.js';
import { EmailOutboxService } from '../outbound/email-outbox.service.js';
import { EmailInboundRepository, type InboundRow } from './email-inbound.repository.js';
import { visibleText } from './email-text.js';

/** Headers kept as provenance: all of them, up to this many characters in all. */
const MAX_PROVENANCE_HEADER_CHARS = 64 * 1024;

/**
 * JobName.EmailProcessInbound: a stored message becomes a post (or a reply) as its sender.
 * Parsing with mailparser; text preferred, HTML converted; quotes and signatures cut; attachments
 * (not inline images of the body) uploaded within the attachment limits; the headers and a
 * pointer to the raw MIME kept as the post's provenance. A refusal Chorus will always make (not a
 * member, too long, a refused attachment) fails at once; anything else is retried, and after the
 * last try the row is failed. Either way the sender gets a bounce saying why. The post's source
 * reference (Message-ID and target) is unique, so a repeated job never posts twice.
 */
@Injectable()
export class EmailInboundProcessor {
  constructor(
    private readonly inbound: EmailInboundRepository,
    private readonly posts: PostService,
    private readonly users: UserService,
    private readonly attachments: AttachmentService,
    private readonly outbox: EmailOutboxService,
    private readonly db: TenantDatabase,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async handle({ orgId, inboundId }: JobData[JobName.EmailProcessInbound]): Promise<void> {
    const row = await this.db.withOrg(orgId, (tx) => this.inbound.claim(tx, inboundId));
    if (!row) return;
    let mail: ParsedMail | null = null;
    try {
      mail = await simpleParser(row.raw, { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true });
      const postId = await this.post(orgId, row, mail);
      await this.db.withOrg(orgId, (tx) => this.inbound.settle(tx, inboundId, { status: 'done', postId }));
      this.log.info({ orgId, inboundId, postId }, 'email posted');
    } catch (error) {
      const permanent = error instanceof DomainError && error.status < 500;
      const last = row.attempts >= JOB_POLICY[JobName.EmailProcessInbound].attempts;
      const code = error instanceof DomainError ? error.code : EmailErrorCode.ProcessingFailed;
      const message = error instanceof DomainError ? error.message : 'Chorus could not process the message';
      this.log.warn({ err: error, orgId, inboundId, attempt: row.attempts, permanent }, 'email not posted');
      if (!permanent && !last) {
        await this.db.withOrg(orgId, (tx) => this.inbound.settle(tx, inboundId, { status: 'pending', errorCode: code, error: String((error as Error).message).slice(0, 1000) }));
        throw error;
      }
      await this.db.withOrg(orgId, (tx) => this.inbound.settle(tx, inboundId, { status: 'failed', errorCode: code, error: message.slice(0, 1000) }));
      await this.outbox.queueBounce(orgId, {
        to: row.fromAddress,
        userId: row.userId,
        code,
        reason: message,
        originalSubject: mail?.subject ?? null,
        originalMessageId: row.messageId.startsWith('<sha256.') ? null : row.messageId,
        target: row.parentPostId ? 'a Chorus conversation' : row.groupId ? 'a Chorus group' : 'the Chorus company stream',
        dedupeKey: `bounce:${row.id}`,
      });
    }
  }

  private async post(orgId: string, row: InboundRow, mail: ParsedMail): Promise<string> {
    const sourceRef = `${row.messageId}#${row.targetKey}`;
    const existing = await this.posts.idBySource(orgId, 'email', sourceRef);
    if (existing) return existing;

    const user = await this.users.get(orgId, row.userId);
    if (user.status !== 'active') throw new EmailError(EmailErrorCode.SenderUnknown, 'Your Chorus account is deactivated');
    const auth = bridgeAuth(orgId, user, `email:${row.id}`);
    const body = visibleText(mail, row.parentPostId !== null);
    const files = mail.attachments.filter(isRealAttachment);
    if (!body && files.length === 0) throw new EmailError(EmailErrorCode.BodyEmpty, 'The message has no text to post');
    const attachmentIds = await this.upload(auth, row, files);
    try {
      const post = await this.posts.create(auth, {
        body: body || files.map((f) => f.filename ?? 'attachment').join(', '),
        ...(row.parentPostId ? { parentId: row.parentPostId } : row.groupId ? { groupId: row.groupId } : {}),
        attachmentIds,
        source: 'email',
        sourceRef,
        provenance: provenance(row, mail),
      });
      return post.id;
    } catch (error) {
      // The same message posted by a job running at the same moment.
      if (isUniqueViolation(error, 'post_source_ref_key')) {
        const id = await this.posts.idBySource(orgId, 'email', sourceRef);
        if (id) return id;
      }
      throw error;
    }
  }

  /** Uploads once: a retry reuses the uploads of the first try (they stay unattached until the post). */
  private async upload(auth: AuthContext, row: InboundRow, files: Attachment[]): Promise<string[]> {
    if (files.length === 0) return [];
    if (row.attachmentIds.length === files.length) return row.attachmentIds;
    const ids: string[] = [];
    for (const file of files) {
      try {
        const view = await this.attachments.upload(auth, { originalname: file.filename ?? 'attachment', buffer: file.content });
        ids.push(view.id);
      } catch (error) {
        if (error instanceof DomainError && error.status < 500) {
          throw new EmailError(EmailErrorCode.AttachmentRefused, `The attachment "${file.filename ?? 'attachment'}" was refused: ${error.message}`);
        }
        throw error;
      }
    }
    await this.db.withOrg(auth.orgId, (tx) => this.inbound.rememberAttachments(tx, row.id, ids));
    return ids;
  }
}

/** Files the sender attached, not the images a rich-text body shows inline (cid: parts). */
function isRealAttachment(a: Attachment): boolean {
  return !a.related && a.content.length > 0;
}

/** What compliance keeps about where the post came from; the raw MIME stays in email_inbound (exported with the post). */
function provenance(row: InboundRow, mail: ParsedMail): Record<string, unknown> {
  const headers: Array<[string, string]> = [];
  let chars = 0;
  for (const h of mail.headerLines) {
    const value = h.line.slice(h.line.indexOf(':') + 1).trim();
    chars += h.key.length + value.length;
    if (chars > MAX_PROVENANCE_HEADER_CHARS) break;
    headers.push([h.key, value]);
  }
  return {
    kind: 'email',
    inboundId: row.id,
    channel: row.channel,
    messageId: row.messageId,
    from: row.fromAddress,
    subject: mail.subject ?? null,
    date: mail.date?.toISOString() ?? null,
    receivedAt: row.receivedAt instanceof Date ? row.receivedAt.toISOString() : row.receivedAt,
    auth: row.auth,
    raw: { sha256: row.rawSha256.toString('hex'), bytes: row.raw.length },
    headers,
  };
}
