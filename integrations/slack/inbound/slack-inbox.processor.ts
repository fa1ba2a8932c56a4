import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { JOB_POLICY, JobName, type JobData } from '../../../src/jobs/job.types.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';

/** A pending delivery this old has lost its job (jobs start within milliseconds). */
const STALE_AFTER_SECONDS = 120;
import { SlackInstallations } from '../slack.types.js';
import { SlackBoltApp } from './slack-bolt-app.js';
import type { SlackDelivery } from './slack-delivery.js';
import { SlackInboxRepository } from './slack-inbox.repository.js';

/**
 * JobName.SlackProcessInbox: one stored delivery through Bolt. Settled rows are skipped, so a
 * repeated job is harmless; a transient failure leaves the row pending with its error and throws
 * so the queue retries; the last attempt marks it failed.
 */
@Injectable()
export class SlackInboxProcessor {
  constructor(
    private readonly inbox: SlackInboxRepository,
    private readonly installations: SlackInstallations,
    private readonly bolt: SlackBoltApp,
    private readonly db: TenantDatabase,
    private readonly queue: JobQueue,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async handle({ orgId, inboxId }: JobData[JobName.SlackProcessInbox]): Promise<void> {
    const row = await this.db.withOrg(orgId, async (tx) => {
      const found = await this.inbox.findForUpdate(tx, inboxId);
      if (!found || found.status !== 'pending') return null;
      return { ...found, attempts: await this.inbox.countAttempt(tx, inboxId) };
    });
    if (!row) return;
    const installation = await this.installations.get(orgId, row.installationId);
    if (!installation) {
      await this.settle(orgId, inboxId, 'ignored', 'installation removed');
      return;
    }
    const delivery: SlackDelivery = { orgId, inboxId, teamId: row.teamId, installation, outcome: { status: 'ignored', error: null } };
    try {
      await this.bolt.process(delivery, row.payload);
    } catch (error) {
      const last = row.attempts >= JOB_POLICY[JobName.SlackProcessInbox].attempts;
      this.log.warn({ err: error, orgId, inboxId, attempt: row.attempts }, 'slack delivery failed');
      await this.settle(orgId, inboxId, last ? 'failed' : 'pending', String((error as Error).message ?? error).slice(0, 1000));
      throw error;
    }
    await this.settle(orgId, inboxId, delivery.outcome.status, delivery.outcome.error);
  }

  /**
   * Deliveries stored more than two minutes ago and still pending with attempts left, whose job
   * is gone (the process died between the commit and the enqueue): queued again. The job's dedupe
   * key makes this harmless for deliveries whose job is only waiting.
   */
  async requeueStale(): Promise<number> {
    const stale = await this.db.statement((tx) =>
      tx.query<{ orgId: string; id: string }>(`SELECT org_id AS "orgId", id FROM slack_inbox_stale($1, $2, $3)`, [
        STALE_AFTER_SECONDS,
        JOB_POLICY[JobName.SlackProcessInbox].attempts,
        1000,
      ]),
    );
    for (const row of stale) await this.queue.enqueue(JobName.SlackProcessInbox, { orgId: row.orgId, inboxId: row.id });
    if (stale.length > 0) this.log.info({ requeued: stale.length }, 'slack deliveries queued again');
    return stale.length;
  }

  private async settle(orgId: string, inboxId: string, status: 'pending' | SlackDelivery['outcome']['status'], error: string | null): Promise<void> {
    await this.db.withOrg(orgId, (tx) => this.inbox.settle(tx, inboxId, status, error));
  }
}
