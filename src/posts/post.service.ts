import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.module.js';
import { LiveEventBus } from '../live/live-event-bus.js';
import type { LiveEventType } from '../live/live-event.js';
import { AuditAction, AuditService } from '../audit/audit.service.js';
import { AttachmentService, type OpenedAttachment } from '../attachments/attachment.service.js';
import { badRequest, conflict, DomainError, forbidden, isForeignKeyViolation, notFound } from '../common/domain-error.js';
import { GroupService } from '../groups/group.service.js';
import type { AuthContext } from '../identity/auth-context.js';
import { UserService } from '../identity/user.service.js';
import { NotificationService } from '../notifications/notification.service.js';
import { OrgService } from '../tenancy/org.service.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import { PostCreatedHooks } from './post-created-hooks.js';
import { PostFeedService } from './post-feed.service.js';
import { PostRepository, type PostRow, type PostSource, type ReactionKind, type VersionRow } from './post.repository.js';
import { extractHashtags, extractMentions } from './post-text.js';
import type { PostItem, ThreadView } from './post.types.js';

export interface CreatePostInput {
  body: string;
  groupId?: string;
  parentId?: string;
  /** Uploads (POST /api/v1/attachments) of the author's to attach. */
  attachmentIds?: string[];
  /** Pin it as an announcement (group owners in their group, admins anywhere they can see). */
  announcement?: boolean;
  /** Bridges (email, Slack) pass their own source and a reference unique per source. */
  source?: PostSource;
  sourceRef?: string;
  /** Where a bridged post came from (e.g. the Slack team, channel, ts and user), kept for compliance. */
  provenance?: Record<string, unknown>;
}

/**
 * Writing posts: who may post where, one level of replies, versions on edit, soft deletes.
 * A post the viewer may not see is 404 on every path, exactly like one that does not exist.
 */
@Injectable()
export class PostService {
  constructor(
    private readonly posts: PostRepository,
    private readonly feed: PostFeedService,
    private readonly groups: GroupService,
    private readonly users: UserService,
    private readonly orgs: OrgService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationService,
    private readonly live: LiveEventBus,
    private readonly attachments: AttachmentService,
    private readonly db: TenantDatabase,
    private readonly createdHooks: PostCreatedHooks,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async create(auth: AuthContext, input: CreatePostInput): Promise<PostItem> {
    const { item, prepared } = await this.db
      .withOrg(auth.orgId, async (tx) => {
        const created = await this.createInTx(tx, auth, input);
        return { item: created, prepared: await this.prepareCreatedHooks(tx, auth, created) };
      })
      .catch((error: unknown) => {
        // The post answered was purged by retention between our read and the insert.
        if (isForeignKeyViolation(error, 'post_parent_fkey')) throw notFound('Post');
        throw error;
      });
    await this.broadcast(auth, 'post.created', item);
    await this.runCreatedHooks(auth, item, prepared);
    return item;
  }

  private async createInTx(tx: OrgTx, auth: AuthContext, input: CreatePostInput): Promise<PostItem> {
    const settings = await this.orgs.settings(tx);
    const body = this.checkBody(input.body, settings.maxPostLength);
    let groupId = input.groupId ?? null;
    let parentId: string | null = null;
    if (input.parentId) {
      // One level of threading: a reply to a reply joins the root's conversation.
      const parent = await this.visiblePost(tx, auth, input.parentId);
      const root = parent.parentId ? await this.visiblePost(tx, auth, parent.parentId) : parent;
      if (input.groupId !== undefined && input.groupId !== root.groupId) {
        throw badRequest('reply_group_mismatch', 'A reply belongs to the group of the post it answers');
      }
      groupId = root.groupId;
      parentId = root.id;
    }
    if (groupId) {
      const group = await this.groups.visibleInTx(tx, auth, groupId);
      if (group.archivedAt) throw conflict('group_archived', 'The group is archived');
      if (!group.myRole) throw forbidden('Only members can post in this group');
    } else if (!parentId && settings.companyPosting === 'admins' && auth.role !== 'admin') {
      throw forbidden('Only admins can post to the company stream in this organisation');
    }
    const source = input.source ?? (auth.method === 'token' ? 'api' : 'web');
    const post = await this.posts.insert(tx, { authorId: auth.userId, groupId, parentId, body, source, sourceRef: input.sourceRef ?? null, provenance: input.provenance ?? null });
    if (input.attachmentIds?.length) await this.attachments.attachInTx(tx, auth.userId, post.id, input.attachmentIds);
    await this.indexRefs(tx, post, body, auth.userId, true);
    if (parentId) {
      await this.posts.adjustReplyCount(tx, parentId, 1);
      const root = (await this.posts.find(tx, parentId))!;
      await this.notifications.replied(tx, post.id, auth.userId, root.authorId);
    }
    if (input.announcement) await this.pinInTx(tx, auth, post, true);
    return this.feed.one(tx, auth, post.id);
  }

  /** The post a bridge already created for this source reference (deleted or not), so redelivery does not post twice. */
  async idBySource(orgId: string, source: PostSource, sourceRef: string): Promise<string | null> {
    return this.db.withOrg(orgId, (tx) => this.posts.idBySource(tx, source, sourceRef));
  }

  async get(auth: AuthContext, id: string): Promise<PostItem> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      await this.visiblePost(tx, auth, id);
      return this.feed.one(tx, auth, id);
    });
  }

  /** Only the author edits; every edit is a new version and the earlier text is kept. */
  async edit(auth: AuthContext, id: string, body: string): Promise<PostItem> {
    let changed = false;
    const item = await this.db.withOrg(auth.orgId, async (tx) => {
      const post = await this.visiblePost(tx, auth, id, true);
      if (post.authorId !== auth.userId) throw forbidden('Only the author can edit a post');
      const text = this.checkBody(body, (await this.orgs.settings(tx)).maxPostLength);
      if (text !== post.body) {
        const version = post.version + 1;
        await this.posts.insertVersion(tx, id, version, text, auth.userId);
        await this.posts.updateBody(tx, id, text, version);
        await this.indexRefs(tx, post, text, auth.userId);
        changed = true;
      }
      return this.feed.one(tx, auth, id);
    });
    if (changed) await this.broadcast(auth, 'post.edited', item);
    return item;
  }

  /** Authors, admins and (in their group) group owners delete; the post disappears everywhere. */
  async remove(auth: AuthContext, id: string): Promise<void> {
    const item = await this.db.withOrg(auth.orgId, async (tx) => {
      const post = await this.visiblePost(tx, auth, id, true);
      const isAuthor = post.authorId === auth.userId;
      const isGroupOwner = post.groupId !== null && (await this.groups.visibleInTx(tx, auth, post.groupId)).myRole === 'owner';
      if (!isAuthor && auth.role !== 'admin' && !isGroupOwner) throw forbidden('Only the author, a group owner or an admin can delete a post');
      await this.posts.softDelete(tx, id, auth.userId);
      if (post.parentId) await this.posts.adjustReplyCount(tx, post.parentId, -1);
      if (!isAuthor) {
        await this.audit.record(tx, auth.actor, {
          action: AuditAction.PostDeletedByModerator,
          target: { type: 'post', id },
          data: { authorId: post.authorId, groupId: post.groupId },
        });
      }
      return this.feed.one(tx, auth, id);
    });
    await this.broadcast(auth, 'post.deleted', item);
  }

  async pin(auth: AuthContext, id: string, pinned: boolean): Promise<PostItem> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      await this.pinInTx(tx, auth, await this.visiblePost(tx, auth, id, true), pinned);
      return this.feed.one(tx, auth, id);
    });
  }

  private async pinInTx(tx: OrgTx, auth: AuthContext, post: PostRow, pinned: boolean): Promise<void> {
    if (post.parentId) throw badRequest('announcement_must_be_root', 'Only a conversation’s first post can be an announcement');
    const ownsGroup = post.groupId !== null && (await this.groups.visibleInTx(tx, auth, post.groupId)).myRole === 'owner';
    if (auth.role !== 'admin' && !ownsGroup) {
      throw forbidden(post.groupId ? 'Only group owners and admins can pin announcements here' : 'Only admins can pin company announcements');
    }
    await this.posts.setPinned(tx, post.id, pinned ? auth.userId : null);
  }

  /**
   * An attachment's bytes, for whoever may see its post (or its uploader, before it is attached).
   * The database work ends before the bytes are streamed.
   */
  async openAttachment(auth: AuthContext, id: string): Promise<OpenedAttachment> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const opened = await this.attachments.openInTx(tx, id);
      if (!opened) throw notFound('Attachment');
      const { postId, uploaderId } = opened.attachment;
      try {
        if (postId) await this.visiblePost(tx, auth, postId);
        else if (uploaderId !== auth.userId) throw notFound('Attachment');
      } catch (error) {
        opened.stream.destroy();
        throw error instanceof DomainError && error.status === 404 ? notFound('Attachment') : error;
      }
      return opened;
    });
  }

  /** Edit history for the author, admins and compliance. */
  async versions(auth: AuthContext, id: string): Promise<VersionRow[]> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const post = await this.visiblePost(tx, auth, id);
      if (post.authorId !== auth.userId && auth.role === 'member') throw forbidden('Only the author, admins and compliance see versions');
      return this.posts.versions(tx, id);
    });
  }

  async react(auth: AuthContext, id: string, kind: ReactionKind, on: boolean): Promise<PostItem> {
    const item = await this.db.withOrg(auth.orgId, async (tx) => {
      const post = await this.visiblePost(tx, auth, id);
      if (on) {
        await this.posts.addReaction(tx, id, auth.userId, kind);
        await this.notifications.reacted(tx, id, auth.userId, post.authorId, kind);
      }
      else await this.posts.removeReaction(tx, id, auth.userId, kind);
      return this.feed.one(tx, auth, id);
    });
    await this.broadcast(auth, on ? 'reaction.added' : 'reaction.removed', item, kind);
    return item;
  }

  /**
   * Tells live clients after the change committed. The change stands even if this fails: a
   * client that missed it sees it on its next read.
   */
  private async broadcast(auth: AuthContext, type: LiveEventType, item: PostItem, reaction?: string): Promise<void> {
    const { myReactions: _mine, ...post } = item;
    try {
      await this.live.publish({
        orgId: auth.orgId,
        type,
        postId: item.id,
        parentId: item.parentId,
        groupId: item.group?.id ?? null,
        groupPrivate: item.group?.visibility === 'private',
        actorId: auth.userId,
        post: type === 'post.created' || type === 'post.edited' ? post : undefined,
        reaction,
      });
    } catch (err) {
      this.log.warn({ err, postId: item.id, type }, 'live event not published');
    }
  }

  /** The hooks' reads inside the creating transaction (one connection: one after another). */
  private async prepareCreatedHooks(tx: OrgTx, auth: AuthContext, item: PostItem): Promise<unknown[]> {
    const prepared: unknown[] = [];
    for (const { hook } of this.createdHooks.list()) prepared.push(hook.prepare ? await hook.prepare(tx, auth, item) : undefined);
    return prepared;
  }

  /** Other modules' follow-up work on a committed post; like `broadcast`, a failure never fails the post. */
  private async runCreatedHooks(auth: AuthContext, item: PostItem, prepared: unknown[]): Promise<void> {
    for (const [i, { name, hook }] of this.createdHooks.list().entries()) {
      try {
        await hook.run(auth, item, prepared[i]);
      } catch (err) {
        this.log.warn({ err, postId: item.id, hook: name }, 'post-created hook failed');
      }
    }
  }

  /** A conversation: its root and the replies oldest first (asking with a reply's id shows its root). */
  async thread(auth: AuthContext, id: string, limit: number, cursor?: string): Promise<ThreadView> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const post = await this.visiblePost(tx, auth, id);
      const rootId = post.parentId ?? post.id;
      if (post.parentId) await this.visiblePost(tx, auth, rootId);
      const root = await this.feed.one(tx, auth, rootId);
      const page = await this.feed.replies(tx, auth, rootId, limit, cursor);
      return { root, ...page };
    });
  }

  /** The post, if it exists, is not deleted and sits where the viewer can read; else 404. */
  private async visiblePost(tx: OrgTx, auth: AuthContext, id: string, forUpdate = false): Promise<PostRow> {
    const post = await this.posts.find(tx, id, forUpdate);
    if (!post || post.deletedAt) throw notFound('Post');
    if (post.groupId) await this.groups.visibleInTx(tx, auth, post.groupId);
    return post;
  }

  private checkBody(body: string, max: number): string {
    const text = body.replace(/\r\n?/g, '\n').trim();
    if (text.length === 0) throw badRequest('post_empty', 'A post needs some text');
    if ([...text].length > max) throw badRequest('post_too_long', `A post can be at most ${max} characters`, { maxLength: max });
    return text;
  }

  /** Mentions and hashtags, re-derived from the text; newly mentioned people are notified. */
  /** Mentions, hashtags and mention notifications of the text; `fresh`: a new post, which has none yet. */
  private async indexRefs(tx: OrgTx, post: Pick<PostRow, 'id'>, body: string, actorId: string, fresh = false): Promise<void> {
    const mentioned = await this.users.activeIdsByHandles(tx, extractMentions(body));
    const tags = extractHashtags(body);
    if (!fresh || mentioned.length > 0 || tags.length > 0) await this.posts.replaceRefs(tx, post, mentioned, tags);
    await this.notifications.mentioned(tx, post.id, actorId, mentioned);
  }
}
