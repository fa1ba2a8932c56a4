import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../src/config/app-config.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JobName, type JobData } from '../../../src/jobs/job.types.js';
import { OrgService } from '../../../src/tenancy/org.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { digestEmail } from './email-content.js';
import { EmailDigestRepository } from './email-digest.repository.js';
import { EmailOutboxService } from './email-outbox.service.js';
import { EmailPreferenceRepository, type DigestRecipient } from './email-preference.repository.js';
import { listUnsubscribeHeaders, UnsubscribeTokens } from './email-unsubscribe-token.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Today's date in UTC, YYYY-MM-DD. */
export const utcDay = (now = new Date()) => now.toISOString().slice(0, 10);

/**
 * The optional daily digest: for each user who asked for it, the newest root posts of the last
 * day in their groups. `last_digest_on` is set in the transaction that writes the email, so a
 * retried job, or a second run the same day, sends nothing more.
 */
@Injectable()
export class EmailDigestService {
  constructor(
    private readonly prefs: EmailPreferenceRepository,
    private readonly posts: EmailDigestRepository,
    private readonly outbox: EmailOutboxService,
    private readonly unsubscribe: UnsubscribeTokens,
    private readonly orgs: OrgService,
    private readonly db: TenantDatabase,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  /** ScheduleEmailDigests: one EmailDigest per org for today. */
  async scheduleAll(): Promise<void> {
    const day = utcDay();
    for (const orgId of await this.orgs.listIds()) await this.jobs.enqueue(JobName.EmailDigest, { orgId, day });
  }

  /** EmailDigest: each user in their own short transaction. */
  async run({ orgId, day }: JobData[JobName.EmailDigest]): Promise<void> {
    if (!DAY.test(day)) throw new Error(`EmailDigest day must be YYYY-MM-DD, got ${JSON.stringify(day)}`);
    const due = await this.db.withOrg(orgId, (tx) => this.prefs.digestDue(tx, day));
    for (const recipient of due) {
      const id = await this.digestFor(orgId, day, recipient);
      if (id) await this.outbox.enqueueSend(orgId, id);
    }
  }

  private async digestFor(orgId: string, day: string, r: DigestRecipient): Promise<string | null> {
    return this.db.withOrg(orgId, async (tx) => {
      if (!(await this.prefs.claimDigest(tx, r.userId, day))) return null;
      const posts = await this.posts.recentGroupPosts(tx, r.userId);
      if (posts.length === 0) return null;
      const unsubscribeUrl = this.unsubscribe.url(orgId, r.userId, 'digest');
      const content = digestEmail({
        day,
        posts: posts.map((p) => ({ ...p, url: `${this.config.publicUrl}/posts/${p.id}` })),
        footer: { unsubscribeUrl, preferencesUrl: this.unsubscribe.preferencesUrl },
      });
      return this.outbox.queueInTx(tx, {
        dedupeKey: `digest:${r.userId}:${day}`,
        kind: 'digest',
        userId: r.userId,
        to: r.email,
        subject: content.subject,
        text: content.text,
        html: content.html,
        headers: { 'Auto-Submitted': 'auto-generated', ...listUnsubscribeHeaders(unsubscribeUrl, this.unsubscribe.preferencesUrl) },
      });
    });
  }
}
