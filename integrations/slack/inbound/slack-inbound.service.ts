import { Inject, Injectable } from '@nestjs/common';
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { DomainError, isUniqueViolation } from '../../../src/common/domain-error.js';
import { GroupService, type GroupView } from '../../../src/groups/group.service.js';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { PostService, type CreatePostInput } from '../../../src/posts/post.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { SlackLinks } from '../slack.types.js';
import { SlackAuthors } from './slack-authors.service.js';
import { ignore, type SlackDelivery } from './slack-delivery.js';
import { SlackError, SlackErrorCode } from '../slack-error.js';
import { SlackInboxRepository } from './slack-inbox.repository.js';
import { SlackInboundMessageRepository } from './slack-inbound-message.repository.js';
import { slackTextToPlain } from './slack-text.js';

/** The fields of a Slack `message` event we use (new, thread reply, changed, deleted). */
export interface SlackMessageEvent {
  channel: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  subtype?: string;
  bot_id?: string;
  message?: { user?: string; text?: string; ts: string; bot_id?: string; subtype?: string };
  previous_message?: { user?: string; ts: string; bot_id?: string };
  deleted_ts?: string;
}

export interface SlackCommand {
  text: string;
  user_id: string;
  channel_id: string;
  channel_name?: string;
  trigger_id?: string;
}

export interface SlackMessageShortcut {
  trigger_id: string;
  user: { id: string };
  channel: { id: string };
  message: { ts: string; text?: string; user?: string };
}

export interface SlackShareSubmission {
  user: { id: string };
  view: { private_metadata: string; state: { values: Record<string, Record<string, { selected_option?: { value: string } | null }>> } };
}

/** Message subtypes that are people writing (anything else, e.g. joins and topic changes, is not a post). */
const POSTABLE_SUBTYPES = new Set(['thread_broadcast', 'file_share', 'me_message']);
const COMPANY = 'company';
/** chat.postEphemeral answers that no retry changes. */
const UNDELIVERABLE = new Set(['channel_not_found', 'not_in_channel', 'user_not_in_channel', 'is_archived', 'restricted_action']);
export const SHARE_CALLBACK_ID = 'chorus_share';
const USAGE = 'Usage: `/chorus [#group] text` posts to Chorus; `/chorus link #group` (admins and group owners) links this channel to a group.';

/**
 * What Slack deliveries do in Chorus: messages in linked channels become posts (thread replies,
 * edits and deletes follow), `/chorus` posts and links channels, and the "Share to Chorus"
 * shortcut posts a message to a group picked in a modal. Refusals are told to the Slack user
 * ephemerally; redelivery never posts twice (each post's source ref is unique).
 */
@Injectable()
export class SlackInboundService {
  constructor(
    private readonly posts: PostService,
    private readonly groups: GroupService,
    private readonly links: SlackLinks,
    private readonly authors: SlackAuthors,
    private readonly messages: SlackInboundMessageRepository,
    private readonly inbox: SlackInboxRepository,
    private readonly db: TenantDatabase,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async message(d: SlackDelivery, client: webApi.WebClient, e: SlackMessageEvent): Promise<void> {
    if (e.subtype === 'message_changed') return this.messageChanged(d, client, e);
    if (e.subtype === 'message_deleted') return this.messageDeleted(d, client, e);
    // Bot messages include our own mirrored posts: never loop them back.
    if (e.bot_id || e.subtype === 'bot_message') return ignore(d, 'bot message');
    if (e.subtype && !POSTABLE_SUBTYPES.has(e.subtype)) return ignore(d, `message subtype ${e.subtype}`);
    if (!e.user) return ignore(d, 'message without a user');
    const groupId = await this.links.groupOf(d.orgId, d.installation.id, e.channel);
    if (!groupId) return ignore(d, 'channel not linked');
    const slackUser = e.user;
    await this.refusing(d, client, e.channel, slackUser, async () => {
      const auth = await this.author(d, client, slackUser);
      const threadRoot = e.thread_ts && e.thread_ts !== e.ts ? e.thread_ts : null;
      // A reply in a thread whose root never became a post (sent before the link) starts its own conversation.
      const parentId = threadRoot ? await this.db.withOrg(d.orgId, (tx) => this.messages.postOf(tx, d.teamId, e.channel, threadRoot)) : null;
      const postId = await this.postOnce(auth, {
        body: slackTextToPlain(e.text ?? ''),
        ...(parentId ? { parentId } : { groupId }),
        sourceRef: `${d.teamId}:${e.channel}:${e.ts}`,
        provenance: { kind: 'slack', team: d.teamId, channel: e.channel, ts: e.ts, user: slackUser },
      });
      await this.db.withOrg(d.orgId, (tx) => this.messages.recordInbound(tx, d.teamId, e.channel, e.ts, postId));
    });
  }

  async command(d: SlackDelivery, client: webApi.WebClient, c: SlackCommand): Promise<void> {
    const text = c.text.trim();
    await this.refusing(d, client, c.channel_id, c.user_id, async () => {
      if (text === '' || /^help$/i.test(text)) {
        await this.tell(client, c.channel_id, c.user_id, USAGE);
        return;
      }
      const auth = await this.author(d, client, c.user_id);
      const link = /^link\s+(.+)$/i.exec(text);
      if (link) {
        const { name } = parseGroupToken(link[1].trim());
        const group = name ? await this.groupNamed(auth, name) : null;
        if (!group) throw unknownGroup(link[1].trim());
        await this.links.link(d.orgId, auth.userId, d.installation.id, c.channel_id, c.channel_name ?? null, group.id);
        await this.tell(client, c.channel_id, c.user_id, `Linked this channel to the Chorus group #${group.name}: new messages here are posted there.`);
        return;
      }
      const { name, rest } = parseGroupToken(text);
      const group = name ? await this.groupNamed(auth, name) : null;
      if (name && !group) throw unknownGroup(`#${name}`);
      const groupId = group?.id ?? d.installation.defaultGroupId ?? undefined;
      const postId = await this.postOnce(auth, {
        body: slackTextToPlain(name ? rest : text),
        groupId,
        sourceRef: `${d.teamId}:command:${d.inboxId}`,
        provenance: { kind: 'slack', team: d.teamId, channel: c.channel_id, ts: null, user: c.user_id, command: '/chorus' },
      });
      const posted = await this.posts.get(auth, postId);
      await this.tell(client, c.channel_id, c.user_id, posted.group ? `Posted to Chorus in #${posted.group.name}.` : 'Posted to the Chorus company stream.');
    });
  }

  /** "Share to Chorus" on a message: a modal to pick one of the user's groups (or the company stream). */
  async shareShortcut(d: SlackDelivery, client: webApi.WebClient, s: SlackMessageShortcut): Promise<void> {
    await this.refusing(d, client, s.channel.id, s.user.id, async () => {
      const auth = await this.author(d, client, s.user.id);
      const mine = (await this.groups.list(auth, { mine: true }, 100)).items;
      await client.views.open({ trigger_id: s.trigger_id, view: shareModal(mine, d.installation.defaultGroupId, JSON.stringify({ shortcut: d.inboxId })) });
    });
  }

  async shareSubmission(d: SlackDelivery, client: webApi.WebClient, s: SlackShareSubmission): Promise<void> {
    const meta = JSON.parse(s.view.private_metadata) as { shortcut: string };
    const shortcut = await this.db.withOrg(d.orgId, (tx) => this.inbox.find(tx, meta.shortcut));
    if (!shortcut || shortcut.teamId !== d.teamId) return ignore(d, 'share of an unknown shortcut');
    const shared = shortcut.payload as unknown as SlackMessageShortcut;
    const choice = s.view.state.values.group?.group?.selected_option?.value ?? COMPANY;
    await this.refusing(d, client, shared.channel.id, s.user.id, async () => {
      const auth = await this.author(d, client, s.user.id);
      const postId = await this.postOnce(auth, {
        body: slackTextToPlain(shared.message.text ?? ''),
        groupId: choice === COMPANY ? undefined : choice,
        sourceRef: `${d.teamId}:share:${d.inboxId}`,
        provenance: { kind: 'slack', team: d.teamId, channel: shared.channel.id, ts: shared.message.ts, user: s.user.id, messageUser: shared.message.user ?? null },
      });
      const posted = await this.posts.get(auth, postId);
      await this.tell(client, shared.channel.id, s.user.id, posted.group ? `Shared to Chorus in #${posted.group.name}.` : 'Shared to the Chorus company stream.');
    });
  }

  private async messageChanged(d: SlackDelivery, client: webApi.WebClient, e: SlackMessageEvent): Promise<void> {
    const m = e.message;
    if (!m?.user || m.bot_id) return ignore(d, 'edit of a bot message');
    const postId = await this.db.withOrg(d.orgId, (tx) => this.messages.postOf(tx, d.teamId, e.channel, m.ts));
    if (!postId) return ignore(d, 'edit of a message that is not a post');
    const slackUser = m.user;
    await this.refusing(d, client, e.channel, slackUser, async () => {
      const auth = await this.author(d, client, slackUser);
      // Slack also reports reply counts as changes: an unchanged text adds no version.
      await this.gone(d, () => this.posts.edit(auth, postId, slackTextToPlain(m.text ?? '')));
    });
  }

  private async messageDeleted(d: SlackDelivery, client: webApi.WebClient, e: SlackMessageEvent): Promise<void> {
    const ts = e.deleted_ts ?? e.previous_message?.ts;
    const slackUser = e.previous_message?.user;
    if (!ts || !slackUser) return ignore(d, 'delete without the original message');
    const postId = await this.db.withOrg(d.orgId, (tx) => this.messages.postOf(tx, d.teamId, e.channel, ts));
    if (!postId) return ignore(d, 'delete of a message that is not a post');
    await this.refusing(d, client, e.channel, slackUser, async () => {
      // Slack does not say who deleted: the post is removed on behalf of its author (a soft delete; holds still apply).
      const auth = await this.author(d, client, slackUser);
      await this.gone(d, () => this.posts.remove(auth, postId));
    });
  }

  /** The post already gone (or no longer visible) is nothing to do, not an error to tell anyone. */
  private async gone(d: SlackDelivery, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof DomainError && error.status === 404) return ignore(d, 'post no longer exists');
      throw error;
    }
  }

  private author(d: SlackDelivery, client: webApi.WebClient, slackUserId: string): Promise<AuthContext> {
    return this.authors.resolve(d.orgId, d.teamId, slackUserId, client, `slack:${d.inboxId}`);
  }

  /** Creates the post for this source ref unless a previous attempt already did. */
  private async postOnce(auth: AuthContext, input: CreatePostInput & { sourceRef: string }): Promise<string> {
    const existing = await this.posts.idBySource(auth.orgId, 'slack', input.sourceRef);
    if (existing) return existing;
    try {
      return (await this.posts.create(auth, { ...input, source: 'slack' })).id;
    } catch (error) {
      if (!isUniqueViolation(error, 'post_source_ref_key')) throw error;
      return (await this.posts.idBySource(auth.orgId, 'slack', input.sourceRef))!;
    }
  }

  /** A group the user can see, by name (case-insensitive; spaces may be written as dashes). */
  private async groupNamed(auth: AuthContext, name: string): Promise<GroupView | null> {
    const wanted = name.toLowerCase();
    const spaced = wanted.replace(/[-_]/g, ' ');
    const candidates = (await this.groups.list(auth, { q: spaced.split(' ')[0] }, 100)).items;
    return candidates.find((g) => g.name.toLowerCase() === wanted) ?? candidates.find((g) => g.name.toLowerCase() === spaced) ?? null;
  }

  /** Refusals (unknown user, no permission, bad text) are told to the Slack user; the delivery is failed, not retried. */
  private async refusing(d: SlackDelivery, client: webApi.WebClient, channel: string, slackUser: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      if (d.outcome.status === 'ignored' && d.outcome.error === null) d.outcome = { status: 'done', error: null };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await this.tell(client, channel, slackUser, error.message);
      d.outcome = { status: 'failed', error: `${error.code}: ${error.message}` };
    }
  }

  /**
   * An ephemeral note to the Slack user. Where Slack will never deliver it (a DM or a channel the
   * bot is not in) it is dropped, since retrying the delivery would not change that; other
   * failures (429, 5xx) fail the job so it is retried.
   */
  private async tell(client: webApi.WebClient, channel: string, user: string, text: string): Promise<void> {
    try {
      await client.chat.postEphemeral({ channel, user, text });
    } catch (error) {
      const e = error as { code?: string; data?: { error?: string } };
      if (e.code === webApi.ErrorCode.PlatformError && UNDELIVERABLE.has(e.data?.error ?? '')) {
        this.log.info({ channel, slackError: e.data?.error }, 'slack ephemeral message not deliverable');
        return;
      }
      throw error;
    }
  }
}

/** `#name rest`, `<#C123|name> rest` (Slack's escaped channel form) or plain text. */
export function parseGroupToken(text: string): { name: string | null; rest: string } {
  const m = /^(?:<#[A-Z0-9]+\|([^>]+)>|#([^\s]+))\s*([\s\S]*)$/.exec(text);
  if (!m) return { name: null, rest: text };
  return { name: (m[1] ?? m[2]).trim(), rest: m[3] };
}

const unknownGroup = (token: string) =>
  new SlackError(SlackErrorCode.GroupUnknown, `There is no Chorus group ${token.startsWith('#') ? token : `#${token}`} that you can see.`);

/** The "Share to Chorus" modal: one static select of the user's groups, the company stream first. */
export function shareModal(groups: GroupView[], defaultGroupId: string | null, privateMetadata: string) {
  const options = [
    { text: { type: 'plain_text' as const, text: 'Company stream' }, value: COMPANY },
    ...groups
      .filter((g) => !g.archivedAt)
      .slice(0, 99)
      .map((g) => ({ text: { type: 'plain_text' as const, text: g.name.slice(0, 75) }, value: g.id })),
  ];
  const initial = options.find((o) => o.value === defaultGroupId);
  return {
    type: 'modal' as const,
    callback_id: SHARE_CALLBACK_ID,
    private_metadata: privateMetadata,
    title: { type: 'plain_text' as const, text: 'Share to Chorus' },
    submit: { type: 'plain_text' as const, text: 'Share' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'group',
        label: { type: 'plain_text' as const, text: 'Post to' },
        element: { type: 'static_select', action_id: 'group', options, ...(initial ? { initial_option: initial } : {}) },
      },
    ],
  };
}
