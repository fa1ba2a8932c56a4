import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { JobQueue } from '../../../src/jobs/job-queue.js';
import { JobName } from '../../../src/jobs/job.types.js';
import type { PostItem } from '../../../src/posts/post.types.js';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';
import { SlackInstallationRepository, type SlackChannelLinkRow } from '../connections/slack-installation.repository.js';

/**
 * After a post commits in a group with linked channels: one SlackMirrorPost job per
 * (installation, channel). Posts outside groups cost nothing; in a group, one indexed read inside
 * the creating transaction.
 */
@Injectable()
export class SlackMirror {
  constructor(
    private readonly links: SlackInstallationRepository,
    private readonly jobs: JobQueue,
  ) {}

  /** The channels a new post goes to, read inside the creating transaction (none outside groups). */
  async linksFor(tx: OrgTx, post: PostItem): Promise<SlackChannelLinkRow[]> {
    const groupId = post.group?.id;
    return groupId ? this.links.linksOfGroup(tx, groupId) : [];
  }

  /** After the commit: one mirror job per linked channel. */
  async onPostCreated(auth: AuthContext, post: PostItem, links: SlackChannelLinkRow[]): Promise<void> {
    for (const link of links) {
      await this.jobs.enqueue(JobName.SlackMirrorPost, { orgId: auth.orgId, postId: post.id, installationId: link.installationId, channelId: link.channelId });
    }
  }
}
