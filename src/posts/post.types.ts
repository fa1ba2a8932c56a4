import type { AttachmentView } from '../attachments/attachment.service.js';
import type { PostItemRow } from './post-feed.repository.js';

/** A post as every read path shows it. */
export interface PostItem extends PostItemRow {
  attachments: AttachmentView[];
}

export interface ThreadView {
  root: PostItem;
  items: PostItem[];
  nextCursor: string | null;
}
