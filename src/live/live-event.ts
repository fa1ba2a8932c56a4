import type { PostItem } from '../posts/post.types.js';

export type LiveEventType = 'post.created' | 'post.edited' | 'post.deleted' | 'reaction.added' | 'reaction.removed';

/** What happened, published after the transaction that did it commits. */
export interface LiveEventInput {
  orgId: string;
  type: LiveEventType;
  postId: string;
  parentId: string | null;
  /** Where the post lives: decides who may receive the event. */
  groupId: string | null;
  groupPrivate: boolean;
  actorId: string;
  /** The post as anyone who can see it sees it (no per-viewer fields), for created and edited. */
  post?: Omit<PostItem, 'myReactions'>;
  reaction?: string;
}

export interface LiveEvent extends LiveEventInput {
  /** Monotonic per bus; clients resume from it with Last-Event-ID. */
  id: string;
  at: string;
}
