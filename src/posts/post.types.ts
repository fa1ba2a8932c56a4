import type { PostItemRow } from './post-feed.repository.js';

/** A post as every read path shows it (attachments included, from the same query). */
export type PostItem = PostItemRow;

export interface ThreadView {
  root: PostItem;
  items: PostItem[];
  nextCursor: string | null;
}
