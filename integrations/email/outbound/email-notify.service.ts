import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../src/config/app-config.js';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { extractMentions } from '../../../src/posts/post-text.js';
import type { PostItem } from '../../../src/posts/post.types.js';
import { OrgService } from '../../../src/tenancy/org.service.js';
import { TenantDatabase, type OrgTx } from '../../../src/tenancy/tenant-database.js';
import { replyAddress } from '../email-addresses.js';
import { EmailReplyTokenRepository } from '../email-reply-token.repository.js';
import { notificationEmail, subjectLine } from './email-content.js';
import type { OutboundEmail } from './email-outbox.repository.js';
import { EmailOutboxRepository } from './email-outbox.repository.js';
import { EmailOutboxService } from './email-outbox.service.js';
import { EmailNotifyRepository, type NotifiedRecipient, type NotifyingPost } from './email-notify.repository.js';
import { listUnsubscribeHeaders, UnsubscribeTokens } from './email-unsubscribe-token.js';

const dedupeKey = (r: NotifiedRecipient) => `notify:${r.notificationId}`;

/**
 * Mention and reply notifications become emails: one outbox row per notification (dedupe key
 * `notify:<notification id>`), pending or, when the recipient is deactivated or turned that kind
 * off, skipped, so the decision is recorded once and never repeated.
 */
@Injectable()
export class EmailNotifyService {
  constructor(
    private readonly notifyRepo: EmailNotifyRepository,
    private readonly outboxRepo: EmailOutboxRepository,
    private readonly outbox: EmailOutboxService,
    private readonly replyTokens: EmailReplyTokenRepository,
    private readonly unsubscribe: UnsubscribeTokens,
    private readonly orgs: OrgService,
    private readonly db: TenantDatabase,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  /** Post-created hook: only replies and posts with an @mention can have notified anyone. */
  async onPostCreated(auth: AuthContext, post: PostItem): Promise<void> {
    if (post.parentId === null && extractMentions(post.body).length === 0) return;
    await this.jobs.enqueue(JobName.EmailNotify, { orgId: auth.orgId, postId: post.id });
  }

  /** The EmailNotify job: safe to run any number of times for the same post. */
  async notifyPost(orgId: string, postId: string): Promise<void> {
    const pending = await this.db.withOrg(orgId, async (tx) => {
      const recipients = await this.notifyRepo.recipients(tx, postId);
      const done = await this.outboxRepo.existingKeys(tx, recipients.map(dedupeKey));
      const todo = recipients.filter((r) => !done.has(dedupeKey(r)));
      if (todo.length === 0) return [];
      const post = await this.notifyRepo.post(tx, postId);
      if (!post) return [];
      const ids: string[] = [];
      for (const recipient of todo) {
        const email = await this.emailFor(tx, post, recipient);
        const id = await this.outbox.queueInTx(tx, email);
        if (id && email.status === 'pending') ids.push(id);
      }
      return ids;
    });
    for (const id of pending) await this.outbox.enqueueSend(orgId, id);
  }

  private async emailFor(tx: OrgTx, post: NotifyingPost, r: NotifiedRecipient): Promise<OutboundEmail> {
    const wanted = r.kind === 'mention' ? r.mentions : r.replies;
    const base = { dedupeKey: dedupeKey(r), kind: r.kind, userId: r.userId, to: r.email };
    if (!r.active || !wanted || post.deleted) {
      // The decision is what is kept, not the post's text.
      const why = !r.active ? 'recipient deactivated' : !wanted ? `recipient turned ${r.kind} emails off` : 'post deleted';
      return { ...base, subject: subjectLine(`Not sent: ${why}`), text: '', html: null, headers: {}, status: 'skipped' };
    }
    const domain = this.config.env.POSTING_DOMAIN;
    const org = domain ? await this.orgs.getInTx(tx) : null;
    const replyTo = domain && org ? replyAddress(org.slug, await this.replyTokens.create(tx, r.userId, post.rootId, this.config.env.EMAIL_REPLY_TOKEN_DAYS), domain) : null;
    const unsubscribeUrl = this.unsubscribe.url(tx.orgId, r.userId, r.kind === 'mention' ? 'mentions' : 'replies');
    const content = notificationEmail({
      kind: r.kind,
      actorName: post.authorName,
      groupName: post.groupName,
      body: post.body,
      postUrl: `${this.config.publicUrl}/posts/${post.rootId}`,
      replyable: replyTo !== null,
      footer: { unsubscribeUrl, preferencesUrl: this.unsubscribe.preferencesUrl },
    });
    const headers: Record<string, string> = {
      'Auto-Submitted': 'auto-generated',
      'X-Chorus-Post-Id': post.id,
      ...listUnsubscribeHeaders(unsubscribeUrl, this.unsubscribe.preferencesUrl),
    };
    if (replyTo) headers['Reply-To'] = replyTo;
    return { ...base, subject: content.subject, text: content.text, html: content.html, headers, status: 'pending' };
  }
}
