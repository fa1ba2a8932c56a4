import { Injectable } from '@nestjs/common';
import { postVisibleTo } from '../posts/post-visibility.js';
import type { OrgTx } from '../tenancy/tenant-database.js';

/** A page key: (rank as float4 text, created_at at full precision as text, id). */
export type SearchKey = [string, string, string];

export interface PostSearchFilter {
  q: string;
  groupId: string | null;
  authorId: string | null;
  from: Date | null;
  to: Date | null;
}

export interface SearchHitRow {
  id: string;
  rank: string;
  createdAt: string;
}

/**
 * Full-text search over posts, ranked. $1 org, $2 viewer, $3 the query text, $4 group, $5 author,
 * $6/$7 created_at range [from, to), $8–$10 the last key (NULL on the first page), $11 limit.
 *
 * The GIN index post_search_idx finds the matches; ranking needs every match, so they are sorted
 * rather than read in index order. Rank is float4 and carried as its exact text in the cursor,
 * so `$8::real` compares equal to the rank the previous page saw. A query with no lexemes
 * (only punctuation) matches nothing.
 *
 * The visibility clause mirrors VISIBLE in posts/post-feed.repository.ts: company posts, public
 * groups, and private groups only for members (admins included); search e2e tests hold it there.
 */
export const POST_SEARCH_SQL = `
  SELECT p.id, m.rank::text AS rank, p.created_at::text AS "createdAt"
  FROM post_search_match(websearch_to_tsquery('simple', $3)) m
  JOIN post p ON p.org_id = $1 AND p.id = m.id
  WHERE p.deleted_at IS NULL
    AND ${postVisibleTo('$2')}
    AND ($4::uuid IS NULL OR p.group_id = $4)
    AND ($5::uuid IS NULL OR p.author_id = $5)
    AND ($6::timestamptz IS NULL OR p.created_at >= $6)
    AND ($7::timestamptz IS NULL OR p.created_at < $7)
    AND ($8::real IS NULL OR (m.rank, p.created_at, p.id) < ($8::real, $9::timestamptz, $10::uuid))
  ORDER BY m.rank DESC, p.created_at DESC, p.id DESC
  LIMIT $11`;

/**
 * Search reads the posts module's tables (post, org_group, group_membership) as a read model:
 * it never writes them, and posts are hydrated for display through PostFeedService, so the
 * shape of a post stays the posts module's business.
 */
@Injectable()
export class SearchRepository {
  async posts(tx: OrgTx, viewerId: string, f: PostSearchFilter, after: SearchKey | null, limit: number): Promise<SearchHitRow[]> {
    return tx.query<SearchHitRow>(POST_SEARCH_SQL, [
      tx.orgId, viewerId, f.q, f.groupId, f.authorId, f.from, f.to,
      after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit,
    ]);
  }
}
