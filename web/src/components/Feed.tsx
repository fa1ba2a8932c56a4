import { useCallback, useEffect, useRef, useState } from 'react';
import { get, type Post } from '../api';
import { subscribe } from '../live';
import { useMe } from '../session';
import { ErrorMessage, Loading } from './common';
import { hashtagsIn } from './Autocomplete';
import { Composer, type ComposerProps } from './Composer';
import { applyLiveChange, mergeLivePost } from './live-posts';
import { PostCard } from './PostCard';
import '../pages/social.css';

interface StreamPage {
  items: Post[];
  nextCursor: string | null;
  pinned?: Post[];
}

export interface FeedProps {
  /** The stream endpoint, e.g. `/api/v1/streams/company`. */
  source: string;
  /** Whether a post arriving live belongs in this stream. */
  belongs: (post: Post) => boolean;
  /** A composer on top whose posts go straight into the feed. */
  composer?: Omit<ComposerProps, 'onPosted' | 'hashtags'>;
  label: string;
  empty?: string;
}

const withSep = (source: string) => (source.includes('?') ? '&' : '?');

/**
 * A stream, newest first: pinned announcements on top, "Load more", and live updates. New posts
 * from others wait behind a "N new posts" bar so what is being read does not move; edits,
 * deletions and reactions change posts in place.
 */
export function Feed({ source, belongs, composer, label, empty = 'No posts yet.' }: FeedProps) {
  const me = useMe();
  const [items, setItems] = useState<Post[]>([]);
  const [pinned, setPinned] = useState<Post[]>([]);
  const [pending, setPending] = useState<Post[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const listRef = useRef<HTMLElement>(null);
  const belongsRef = useRef(belongs);
  belongsRef.current = belongs;
  const known = useRef(new Set<string>());

  const loadFirst = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const page = await get<StreamPage>(source);
      setPinned(page.pinned ?? []);
      setItems(page.items);
      setCursor(page.nextCursor);
      setPending([]);
      known.current = new Set([...page.items, ...(page.pinned ?? [])].map((p) => p.id));
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, [source]);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst]);

  const refetch = useCallback((id: string) => {
    void get<Post>(`/api/v1/posts/${id}`).then(
      (p) => {
        const swap = (list: Post[]) => list.map((x) => (x.id === id ? p : x));
        setItems(swap);
        setPinned(swap);
      },
      () => undefined,
    );
  }, []);

  useEffect(
    () =>
      subscribe((event) => {
        const d = event.data as { postId?: string; parentId?: string | null; post?: Omit<Post, 'myReactions'> };
        if (event.type === 'post.created' && d.post && !d.parentId) {
          const p = mergeLivePost(undefined, d.post);
          if (!known.current.has(p.id) && belongsRef.current(p)) {
            known.current.add(p.id);
            setPending((list) => [p, ...list]);
          }
          return;
        }
        const apply = (list: Post[]) => applyLiveChange(list, event, me.user.id, refetch);
        setItems(apply);
        setPinned(apply);
        if (event.type === 'post.deleted' || event.type === 'post.edited') setPending(apply);
      }),
    [me.user.id, refetch],
  );

  const showPending = () => {
    setItems((list) => [...pending, ...list.filter((p) => !pending.some((n) => n.id === p.id))]);
    setPending([]);
    // Take the reader to the newest post, as a deliberate move rather than a jump.
    requestAnimationFrame(() => {
      const first = listRef.current?.querySelector<HTMLElement>('article');
      first?.setAttribute('tabindex', '-1');
      first?.focus({ preventScroll: false });
    });
  };

  const loadMore = async () => {
    if (!cursor) return;
    setMore(true);
    try {
      const page = await get<StreamPage>(`${source}${withSep(source)}cursor=${encodeURIComponent(cursor)}`);
      setItems((list) => [...list, ...page.items.filter((p) => !list.some((x) => x.id === p.id))]);
      page.items.forEach((p) => known.current.add(p.id));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setMore(false);
    }
  };

  const onPosted = (p: Post) => {
    known.current.add(p.id);
    setPending((list) => list.filter((x) => x.id !== p.id));
    if (p.pinnedAt) setPinned((list) => [p, ...list.filter((x) => x.id !== p.id)]);
    else setItems((list) => [p, ...list.filter((x) => x.id !== p.id)]);
  };

  const onChange = (p: Post) => {
    const wasPinned = pinned.some((x) => x.id === p.id);
    if (wasPinned !== !!p.pinnedAt) {
      // Pinned or unpinned: it moves between the announcements and the stream.
      void loadFirst();
      return;
    }
    const swap = (list: Post[]) => list.map((x) => (x.id === p.id ? p : x));
    setItems(swap);
    setPinned(swap);
  };

  const onDeleted = (id: string) => {
    setItems((list) => list.filter((x) => x.id !== id));
    setPinned((list) => list.filter((x) => x.id !== id));
  };

  const pinnedIds = new Set(pinned.map((p) => p.id));
  const stream = items.filter((p) => !pinnedIds.has(p.id));
  return (
    <div className="feed">
      {composer && <Composer {...composer} onPosted={onPosted} hashtags={() => hashtagsIn([...pinned, ...items].map((p) => p.body))} />}
      <div aria-live="polite" className="new-posts-region">
        {pending.length > 0 && (
          <button type="button" className="new-posts-bar primary" onClick={showPending}>
            {pending.length === 1 ? '1 new post' : `${pending.length} new posts`}
          </button>
        )}
      </div>
      <section aria-label={label} ref={listRef}>
        {pinned.map((p) => (
          <PostCard key={p.id} post={p} pinned onChange={onChange} onDeleted={onDeleted} />
        ))}
        {stream.map((p) => (
          <PostCard key={p.id} post={p} onChange={onChange} onDeleted={onDeleted} />
        ))}
      </section>
      {loading && <Loading label="Loading posts…" />}
      <ErrorMessage error={error} />
      {!loading && !error && pinned.length === 0 && items.length === 0 && <p className="muted">{empty}</p>}
      {cursor && (
        <button type="button" onClick={() => void loadMore()} disabled={more}>
          {more ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
