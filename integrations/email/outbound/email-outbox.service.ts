import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JOB_POLICY, JobName, type JobData } from '../../../src/jobs/job.types.js';
import { TenantDatabase, type OrgTx } from '../../../src/tenancy/tenant-database.js';
import { EmailReplyTokenRepository } from '../email-reply-token.repository.js';
import { bounceEmail } from './email-content.js';
import { EmailOutboxRepository, type OutboundEmail } from './email-outbox.repository.js';
import { EmailTransport } from './email-transport.js';

export type { OutboundEmail } from './email-outbox.repository.js';

export interface BounceRequest {
  to: string;
  userId: string | null;
  code: string;
  reason: string;
  originalSubject: string | null;
  originalMessageId: string | null;
  target: string;
  dedupeKey: string;
}

/** Finished outbox rows (they hold post text) are deleted after this many days. */
export const OUTBOX_KEEP_DAYS = 7;

const MESSAGE_ID = /^<[^<>\s]{1,900}>$/;

/**
 * The transactional outbox of every email Chorus sends: rows are written in the transaction that
 * decided to send them, then EmailSend delivers each one at most once per success (row locked,
 * status checked), retrying with the job's backoff.
 */
@Injectable()
export class EmailOutboxService {
  constructor(
    private readonly outbox: EmailOutboxRepository,
    private readonly replyTokens: EmailReplyTokenRepository,
    private readonly transport: EmailTransport,
    private readonly db: TenantDatabase,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Stores the email in the caller's transaction: the new row's id, or null if its dedupe key exists. The caller enqueues EmailSend after commit. */
  async queueInTx(tx: OrgTx, email: OutboundEmail): Promise<string | null> {
    return this.outbox.insert(tx, email);
  }

  /** Stores the email and, when it is a new pending row, enqueues its sending. */
  async queue(orgId: string, email: OutboundEmail): Promise<string | null> {
    const id = await this.db.withOrg(orgId, (tx) => this.outbox.insert(tx, email));
    if (id && (email.status ?? 'pending') === 'pending') await this.enqueueSend(orgId, id);
    return id;
  }

  async enqueueSend(orgId: string, outboxId: string): Promise<void> {
    await this.jobs.enqueue(JobName.EmailSend, { orgId, outboxId });
  }

  /** Tells the sender of a refused inbound message why it was not posted. */
  async queueBounce(orgId: string, b: BounceRequest): Promise<string | null> {
    const content = bounceEmail(b);
    const headers: Record<string, string> = { 'Auto-Submitted': 'auto-replied' };
    if (b.originalMessageId && MESSAGE_ID.test(b.originalMessageId)) {
      headers['In-Reply-To'] = b.originalMessageId;
      headers.References = b.originalMessageId;
    }
    return this.queue(orgId, { dedupeKey: b.dedupeKey, kind: 'bounce', userId: b.userId, to: b.to, subject: content.subject, text: content.text, html: content.html, headers });
  }

  /** The EmailSend job. Throws on a delivery failure so the queue retries; the last failure marks the row failed. */
  async send({ orgId, outboxId }: JobData[JobName.EmailSend]): Promise<void> {
    const failure = await this.db.withOrg(orgId, async (tx) => {
      const row = await this.outbox.lock(tx, outboxId);
      if (!row || row.status !== 'pending') return null;
      if (!this.transport.configured) {
        await this.outbox.markSkipped(tx, outboxId, 'SMTP_URL is not set');
        this.log.info({ orgId, outboxId, kind: row.kind }, 'email not sent: SMTP_URL is not set (outbox row skipped)');
        return null;
      }
      const messageId = `<outbox.${row.id}@${this.transport.messageIdDomain}>`;
      const { 'Reply-To': replyTo, 'In-Reply-To': inReplyTo, References: references, ...headers } = row.headers;
      try {
        await this.transport.send({
          to: row.toAddress,
          subject: row.subject,
          text: row.textBody,
          ...(row.htmlBody !== null ? { html: row.htmlBody } : {}),
          messageId,
          ...(replyTo ? { replyTo } : {}),
          ...(inReplyTo ? { inReplyTo } : {}),
          ...(references ? { references } : {}),
          // A bounce goes out with the null sender (MAIL FROM:<>), so it can never bounce back (RFC 5321 §4.5.5).
          ...(row.kind === 'bounce' ? { envelope: { from: '', to: [row.toAddress] } } : {}),
          headers,
        });
      } catch (err) {
        const error = err instanceof Error ? err.message.slice(0, 1000) : 'delivery failed';
        const attempt = row.attempts + 1;
        const final = attempt >= JOB_POLICY[JobName.EmailSend].attempts;
        await this.outbox.recordFailure(tx, outboxId, error, final);
        this.log.warn({ orgId, outboxId, kind: row.kind, attempt, final, error }, final ? 'email delivery failed for good' : 'email delivery failed, will retry');
        return new Error(`Email ${outboxId} not delivered (attempt ${attempt}): ${error}`);
      }
      await this.outbox.markSent(tx, outboxId, messageId);
      this.log.info({ orgId, outboxId, kind: row.kind }, 'email sent');
      return null;
    });
    if (failure) throw failure;
  }

  /** Part of EmailRequeue: old finished outbox rows and expired reply tokens go. */
  async housekeep(orgId: string): Promise<{ outbox: number; replyTokens: number }> {
    return this.db.withOrg(orgId, async (tx) => ({
      outbox: await this.outbox.deleteFinishedBefore(tx, OUTBOX_KEEP_DAYS),
      replyTokens: await this.replyTokens.deleteExpired(tx),
    }));
  }
}
