import type { PostItemRow } from './post-feed.repository.js';

/** A post as every read path shows it. */
export type PostItem = PostItemRow;

export interface ThreadView {
  root: PostItem;
  items: PostItem[];
  nextCursor: string | null;
}
