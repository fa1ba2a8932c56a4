import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor, type Page } from '../common/cursor.js';
import { badRequest, notFound } from '../common/domain-error.js';
import { GroupService } from '../groups/group.service.js';
import type { AuthContext } from '../identity/auth-context.js';
import { UserService } from '../identity/user.service.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import { PostFeedRepository, type FeedKey, type FeedRow } from './post-feed.repository.js';
import type { PostItem } from './post.types.js';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Picker = (tx: OrgTx, after: FeedKey | null, limit: number) => Promise<FeedRow[]>;
/** The ids of the announcements a stream shows on its first page. */
type Pinned = (tx: OrgTx) => Promise<string[]>;

/** A stream page; `pinned` (announcements) comes with the first page of company, group and home streams. */
export interface StreamPage extends Page<PostItem> {
  pinned?: PostItem[];
}

/** Streams: every one is keyset-paginated newest first and shows only what the viewer may see. */
@Injectable()
export class PostFeedService {
  constructor(
    private readonly feed: PostFeedRepository,
    private readonly groups: GroupService,
    private readonly users: UserService,
    private readonly db: TenantDatabase,
  ) {}

  company(auth: AuthContext, limit: number, cursor?: string): Promise<StreamPage> {
    return this.page(auth, limit, cursor, (tx, after, n) => this.feed.company(tx, auth.userId, after, n), (tx) => this.feed.pinned(tx, { company: true }));
  }

  home(auth: AuthContext, limit: number, cursor?: string): Promise<StreamPage> {
    return this.page(auth, limit, cursor, (tx, after, n) => this.feed.home(tx, auth.userId, after, n), (tx) => this.feed.pinned(tx, { company: true, memberOf: auth.userId }));
  }

  group(auth: AuthContext, groupId: string, limit: number, cursor?: string): Promise<StreamPage> {
    return this.page(
      auth,
      limit,
      cursor,
      async (tx, after, n) => {
        await this.groups.visibleInTx(tx, auth, groupId);
        return this.feed.group(tx, auth.userId, groupId, after, n);
      },
      (tx) => this.feed.pinned(tx, { company: false, groupIds: [groupId] }),
    );
  }

  author(auth: AuthContext, userId: string, limit: number, cursor?: string): Promise<Page<PostItem>> {
    return this.page(auth, limit, cursor, async (tx, after, n) => {
      await this.users.requireExists(tx, userId);
      return this.feed.author(tx, auth.userId, userId, after, n);
    });
  }

  hashtag(auth: AuthContext, tag: string, limit: number, cursor?: string): Promise<Page<PostItem>> {
    return this.page(auth, limit, cursor, (tx, after, n) => this.feed.hashtag(tx, auth.userId, tag.toLowerCase(), after, n));
  }

  mentions(auth: AuthContext, limit: number, cursor?: string): Promise<Page<PostItem>> {
    return this.page(auth, limit, cursor, (tx, after, n) => this.feed.mentions(tx, auth.userId, after, n));
  }

  /** Replies under a visible root, oldest first. */
  async replies(tx: OrgTx, auth: AuthContext, rootId: string, limit: number, cursor?: string): Promise<Page<PostItem>> {
    const after = this.key(cursor);
    const rows = await this.feed.replies(tx, rootId, after, limit + 1);
    return this.hydratePage(tx, auth, rows, limit);
  }

  /** Posts in the order of `ids`, with author, group, counts, my reactions and attachments. */
  items(tx: OrgTx, auth: AuthContext, ids: string[]): Promise<PostItem[]> {
    return this.feed.hydrate(tx, auth.userId, ids);
  }

  async one(tx: OrgTx, auth: AuthContext, id: string): Promise<PostItem> {
    const [item] = await this.items(tx, auth, [id]);
    if (!item) throw notFound('Post');
    return item;
  }

  /** Streams with announcements also return, on their first page, the posts pinned there. */
  private async page(auth: AuthContext, limit: number, cursor: string | undefined, pick: Picker, pinned?: Pinned): Promise<StreamPage> {
    const after = this.key(cursor);
    return this.db.withOrg(auth.orgId, async (tx) => {
      const page: StreamPage = await this.hydratePage(tx, auth, await pick(tx, after, limit + 1), limit);
      if (pinned && !after) page.pinned = await this.items(tx, auth, await pinned(tx));
      return page;
    });
  }

  private async hydratePage(tx: OrgTx, auth: AuthContext, rows: FeedRow[], limit: number): Promise<Page<PostItem>> {
    const pageRows = rows.slice(0, limit);
    const items = await this.items(tx, auth, pageRows.map((r) => r.id));
    const last = pageRows[pageRows.length - 1];
    return { items, nextCursor: rows.length > limit ? encodeCursor([last.cursorKey, last.id]) : null };
  }

  private key(cursor: string | undefined): FeedKey | null {
    const key = decodeCursor(cursor, 2);
    if (!key) return null;
    const [at, id] = key.map(String);
    if (!TIMESTAMP.test(at) || !UUID.test(id)) throw badRequest('invalid_cursor', 'The cursor is not valid for this list');
    return [at, id];
  }
}
