import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor, type Page } from '../common/cursor.js';
import { badRequest } from '../common/domain-error.js';
import { GroupService, type GroupView } from '../groups/group.service.js';
import type { AuthContext } from '../identity/auth-context.js';
import { UserService, type UserView } from '../identity/user.service.js';
import { PostFeedService } from '../posts/post-feed.service.js';
import type { PostItem } from '../posts/post.types.js';
import { TenantDatabase } from '../tenancy/tenant-database.js';
import { SearchRepository, type SearchKey } from './search.repository.js';

export interface PostSearchInput {
  q: string;
  groupId?: string;
  authorId?: string;
  from?: Date;
  to?: Date;
}

const RANK = /^\d+(\.\d+)?(e[+-]?\d+)?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Search: posts by full text (only what the viewer may read, best match first), and the
 * type-ahead lookups for people and groups, which defer to the identity and groups modules.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly search: SearchRepository,
    private readonly feed: PostFeedService,
    private readonly groups: GroupService,
    private readonly users: UserService,
    private readonly db: TenantDatabase,
  ) {}

  async posts(auth: AuthContext, input: PostSearchInput, limit: number, cursor?: string): Promise<Page<PostItem>> {
    const after = this.key(cursor);
    if (input.from && input.to && input.from > input.to) throw badRequest('invalid_date_range', '`from` must not be after `to`');
    return this.db.withOrg(auth.orgId, async (tx) => {
      // A group the viewer cannot see is 404 here too, not an empty page that confirms it exists.
      if (input.groupId) await this.groups.visibleInTx(tx, auth, input.groupId);
      const filter = { q: input.q, groupId: input.groupId ?? null, authorId: input.authorId ?? null, from: input.from ?? null, to: input.to ?? null };
      const rows = await this.search.posts(tx, auth.userId, filter, after, limit + 1);
      const pageRows = rows.slice(0, limit);
      const items = await this.feed.items(tx, auth, pageRows.map((r) => r.id));
      const last = pageRows[pageRows.length - 1];
      return { items, nextCursor: rows.length > limit ? encodeCursor([last.rank, last.createdAt, last.id]) : null };
    });
  }

  async people(auth: AuthContext, q: string, limit: number): Promise<Page<UserView>> {
    return { items: await this.users.autocomplete(auth.orgId, q, limit), nextCursor: null };
  }

  /** The groups listing's own rule decides what the viewer sees. */
  async groupsMatching(auth: AuthContext, q: string, limit: number): Promise<Page<GroupView>> {
    const page = await this.groups.list(auth, { q }, limit);
    return { items: page.items, nextCursor: null };
  }

  private key(cursor: string | undefined): SearchKey | null {
    const key = decodeCursor(cursor, 3);
    if (!key) return null;
    const [rank, at, id] = key.map(String);
    if (!RANK.test(rank) || !TIMESTAMP.test(at) || !UUID.test(id)) throw badRequest('invalid_cursor', 'The cursor is not valid for this list');
    return [rank, at, id];
  }
}
