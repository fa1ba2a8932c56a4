import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.module.js';
import { JobQueue } from '../jobs/job-queue.js';
import { JobRegistry } from '../jobs/job-registry.js';
import { JobName } from '../jobs/job.types.js';
import { OrgService } from '../tenancy/org.service.js';
import { TenantDatabase } from '../tenancy/tenant-database.js';
import { CredentialRepository } from './credential.repository.js';

/** Hourly: deletes long-dead sessions and tokens, one job per org. Idempotent by nature. */
@Injectable()
export class CredentialPurge implements OnModuleInit {
  constructor(
    private readonly registry: JobRegistry,
    private readonly queue: JobQueue,
    private readonly orgs: OrgService,
    private readonly db: TenantDatabase,
    private readonly credentials: CredentialRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.registry.register(JobName.ScheduleCredentialPurge, async () => {
      for (const orgId of await this.orgs.listIds()) await this.queue.enqueue(JobName.PurgeExpiredCredentials, { orgId });
    });
    this.registry.register(JobName.PurgeExpiredCredentials, async ({ orgId }) => {
      const purged = await this.db.withOrg(orgId, (tx) => this.credentials.purgeExpired(tx));
      if (purged.sessions + purged.tokens > 0) this.log.info({ orgId, ...purged }, 'purged expired credentials');
    });
  }
}
