import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@slack/web-api';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { AppConfig } from '../../../src/config/app-config.js';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import type { JobData, JobName } from '../../../src/jobs/job.types.js';
import { PostFeedService } from '../../../src/posts/post-feed.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { SlackInstallationRepository } from '../connections/slack-installation.repository.js';
import { slackErrorName } from '../connections/slack-installation.service.js';
import { SlackWebApi } from '../connections/slack-web-api.js';
import { SlackInstallations } from '../slack.types.js';
import { SlackMessageRepository } from './slack-message.repository.js';
import { mirrorText } from './slack-mirror-text.js';

/** A 429 whose Retry-After is at most this is waited out in the job; a longer one goes back to BullMQ's backoff. */
export const MAX_RATE_LIMIT_WAIT_S = 60;
const MAX_RATE_LIMIT_WAITS = 3;

/** Slack answers that no retry will change: the job ends (logged) instead of retrying. */
const PERMANENT = new Set(['channel_not_found', 'is_archived', 'not_in_channel', 'invalid_auth', 'account_inactive', 'token_revoked', 'msg_too_long', 'restricted_action']);

/** The mirror reads posts as nobody in particular: no reactions of its own, no visibility filter. */
const MIRROR_VIEWER_ID = '00000000-0000-0000-0000-000000000000';

type Outcome = { done: true } | { done: false; retryAfterS: number };

/** SlackMirrorPost: posts one Chorus post into one linked channel, at most once. */
@Injectable()
export class SlackMirrorProcessor {
  constructor(
    private readonly installations: SlackInstallations,
    private readonly links: SlackInstallationRepository,
    private readonly messages: SlackMessageRepository,
    private readonly feed: PostFeedService,
    private readonly db: TenantDatabase,
    private readonly slack: SlackWebApi,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async run(job: JobData[JobName.SlackMirrorPost]): Promise<void> {
    const { orgId, postId, installationId, channelId } = job;
    const installation = await this.installations.get(orgId, installationId);
    if (!installation) return;
    const plan = await this.db.withOrg(orgId, async (tx) => {
      const link = await this.links.findLink(tx, installationId, channelId);
      const [post] = await this.feed.items(tx, mirrorViewer(orgId), [postId]);
      // Unlinked (or re-linked elsewhere) since the job was queued: nothing to mirror.
      if (!post || !link || post.group?.id !== link.groupId) return null;
      // No echo: the post's provenance is committed with the post, so it is never late.
      const origin = await this.messages.origin(tx, postId);
      if (!origin || origin.deleted) return null;
      const from = origin.provenance;
      if (from?.kind === 'slack' && from.team === installation.teamId && from.channel === channelId) return null;
      const known = await this.messages.ofPost(tx, postId);
      if (known.some((m) => m.direction === 'inbound' && m.teamId === installation.teamId && m.channelId === channelId)) return null;
      const root = post.parentId ? await this.messages.ofPost(tx, post.parentId) : [];
      const threadTs = root.find((m) => m.teamId === installation.teamId && m.channelId === channelId)?.ts;
      return { post, threadTs };
    });
    if (!plan) return;
    const client = this.slack.client(installation.botToken);
    const text = mirrorText({ authorName: plan.post.author.displayName, body: plan.post.body, postUrl: `${this.config.publicUrl}/posts/${postId}` });

    for (let waits = 0; ; waits++) {
      const outcome = await this.db.withOrg<Outcome>(orgId, async (tx) => {
        await this.messages.lockPostChannel(tx, postId, installation.teamId, channelId);
        const known = await this.messages.ofPost(tx, postId);
        if (known.some((m) => m.direction === 'outbound' && m.teamId === installation.teamId && m.channelId === channelId)) return { done: true };
        try {
          const sent = await client.chat.postMessage({
            channel: channelId,
            text,
            ...(plan.threadTs ? { thread_ts: plan.threadTs } : {}),
            unfurl_links: false,
            unfurl_media: false,
          });
          await this.messages.insertOutbound(tx, installation.teamId, channelId, sent.ts!, postId);
          return { done: true };
        } catch (err) {
          const e = err as { code?: string; retryAfter?: number };
          if (e.code === ErrorCode.RateLimitedError) return { done: false, retryAfterS: e.retryAfter ?? MAX_RATE_LIMIT_WAIT_S };
          if (e.code === ErrorCode.PlatformError && PERMANENT.has(slackErrorName(err))) {
            this.log.warn({ orgId, postId, installationId, channelId, error: slackErrorName(err) }, 'post not mirrored to Slack');
            return { done: true };
          }
          throw new Error(`chat.postMessage failed: ${slackErrorName(err)}`);
        }
      });
      if (outcome.done) return;
      if (outcome.retryAfterS > MAX_RATE_LIMIT_WAIT_S || waits >= MAX_RATE_LIMIT_WAITS) {
        throw new Error(`Slack rate limit (Retry-After ${outcome.retryAfterS} s): leaving it to the job's backoff`);
      }
      this.log.info({ orgId, postId, channelId, retryAfterS: outcome.retryAfterS }, 'slack rate limit: waiting Retry-After');
      await new Promise((resolve) => setTimeout(resolve, outcome.retryAfterS * 1000));
    }
  }
}

function mirrorViewer(orgId: string): AuthContext {
  return {
    orgId,
    userId: MIRROR_VIEWER_ID,
    role: 'member',
    method: 'token',
    sessionId: null,
    tokenId: null,
    actor: { type: 'system', userId: null, role: null, ip: null, requestId: null },
  };
}
