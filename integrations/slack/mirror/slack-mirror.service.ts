import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JobName } from '../../../src/jobs/job.types.js';
import type { PostItem } from '../../../src/posts/post.types.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { SlackInstallationRepository } from '../connections/slack-installation.repository.js';

/**
 * After a post commits in a group with linked channels: one SlackMirrorPost job per
 * (installation, channel). Posts outside groups, and groups without links, cost one indexed read.
 */
@Injectable()
export class SlackMirror {
  constructor(
    private readonly links: SlackInstallationRepository,
    private readonly db: TenantDatabase,
    private readonly jobs: JobQueue,
  ) {}

  async onPostCreated(auth: AuthContext, post: PostItem): Promise<void> {
    const groupId = post.group?.id;
    if (!groupId) return;
    const links = await this.db.withOrg(auth.orgId, (tx) => this.links.linksOfGroup(tx, groupId));
    for (const link of links) {
      await this.jobs.enqueue(JobName.SlackMirrorPost, { orgId: auth.orgId, postId: post.id, installationId: link.installationId, channelId: link.channelId });
    }
  }
}
