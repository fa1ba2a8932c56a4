import { useEffect, useState } from 'react';
import { get, type Group, type Page, type Post } from '../api';
import type { LiveEvent } from '../live';
import { useMe } from '../session';

/** The post carried by a created/edited event, keeping what the viewer-specific fields were. */
export function mergeLivePost(existing: Post | undefined, incoming: Omit<Post, 'myReactions'>): Post {
  return { ...incoming, myReactions: existing?.myReactions ?? [] } as Post;
}

/**
 * Applies an edit, delete, reply or reaction count to a list of posts in place. Reactions by other
 * people carry no counts, so the post is fetched again (`refetch`).
 */
export function applyLiveChange(list: Post[], event: LiveEvent, meId: string, refetch: (id: string) => void): Post[] {
  const d = event.data as { postId?: string; parentId?: string | null; actorId?: string; post?: Omit<Post, 'myReactions'> };
  const id = d.postId;
  if (!id) return list;
  switch (event.type) {
    case 'post.edited':
      return d.post ? list.map((p) => (p.id === id ? mergeLivePost(p, d.post!) : p)) : list;
    case 'post.deleted': {
      const kept = list.filter((p) => p.id !== id);
      return d.parentId ? kept.map((p) => (p.id === d.parentId ? { ...p, replyCount: Math.max(0, p.replyCount - 1) } : p)) : kept;
    }
    case 'post.created':
      return d.parentId ? list.map((p) => (p.id === d.parentId ? { ...p, replyCount: p.replyCount + 1 } : p)) : list;
    case 'reaction.added':
    case 'reaction.removed':
      if (d.actorId !== meId && list.some((p) => p.id === id)) refetch(id);
      return list;
    default:
      return list;
  }
}

let myGroupsCache: { userId: string; groups: Promise<Group[]> } | null = null;
const groupListeners = new Set<(g: Group[]) => void>();

function loadMyGroups(userId: string): Promise<Group[]> {
  if (myGroupsCache?.userId !== userId) {
    myGroupsCache = { userId, groups: get<Page<Group>>('/api/v1/groups?mine=true&limit=100').then((r) => r.items, () => []) };
  }
  return myGroupsCache.groups;
}

/** After joining, leaving or creating a group: the composer's group picker and permissions follow. */
export function refreshMyGroups(userId: string): void {
  myGroupsCache = null;
  void loadMyGroups(userId).then((g) => groupListeners.forEach((l) => l(g)));
}

/** The groups I belong to, with my role in each (shared by every composer and post on the page). */
export function useMyGroups(): Group[] {
  const userId = useMe().user.id;
  const [groups, setGroups] = useState<Group[]>([]);
  useEffect(() => {
    let live = true;
    void loadMyGroups(userId).then((g) => live && setGroups(g));
    groupListeners.add(setGroups);
    return () => {
      live = false;
      groupListeners.delete(setGroups);
    };
  }, [userId]);
  return groups;
}
