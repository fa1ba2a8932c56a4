import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { JobName } from '../../../src/jobs/job.types.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { OrgService } from '../../../src/tenancy/org.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { EmailOutboxService } from '../outbound/email-outbox.service.js';
import { EmailInboundRepository } from './email-inbound.repository.js';

/** Work this old has lost its job (jobs start within milliseconds). */
const STALE_AFTER_SECONDS = 120;
const BATCH = 1000;
/** Failed inbound messages (they never became posts) are kept this long, then deleted. */
const FAILED_KEEP_DAYS = 30;

/**
 * JobName.EmailRequeue (every 5 minutes): stored email work whose job was lost (the process died
 * between the commit and the enqueue) is queued again: pending inbound messages, pending outbox
 * emails, and mentions or replies whose email was never decided. Job dedupe keys make this
 * harmless for jobs that are only waiting. Then each org's housekeeping: old outbox rows, expired
 * reply tokens, and failed inbound messages older than 30 days.
 */
@Injectable()
export class EmailRequeueService {
  constructor(
    private readonly queue: JobQueue,
    private readonly outbox: EmailOutboxService,
    private readonly orgs: OrgService,
    private readonly db: TenantDatabase,
    private readonly inbound: EmailInboundRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async run(): Promise<{ inbound: number; outbox: number; notify: number }> {
    const stale = await this.db.statement((tx) =>
      tx.query<{ kind: 'inbound' | 'outbox' | 'notify'; orgId: string; id: string }>(`SELECT kind, org_id AS "orgId", id FROM email_stale_work($1, $2)`, [
        STALE_AFTER_SECONDS,
        BATCH,
      ]),
    );
    const counts = { inbound: 0, outbox: 0, notify: 0 };
    for (const w of stale) {
      counts[w.kind]++;
      if (w.kind === 'inbound') await this.queue.enqueue(JobName.EmailProcessInbound, { orgId: w.orgId, inboundId: w.id });
      else if (w.kind === 'outbox') await this.queue.enqueue(JobName.EmailSend, { orgId: w.orgId, outboxId: w.id });
      else await this.queue.enqueue(JobName.EmailNotify, { orgId: w.orgId, postId: w.id });
    }
    if (stale.length > 0) this.log.info(counts, 'email work queued again');
    for (const orgId of await this.orgs.listIds()) {
      await this.outbox.housekeep(orgId);
      await this.db.withOrg(orgId, (tx) => this.inbound.deleteFailedBefore(tx, FAILED_KEEP_DAYS));
    }
    return counts;
  }
}
