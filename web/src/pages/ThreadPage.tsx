import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { get, type Post } from '../api';
import { ErrorMessage, Loading, PageTitle } from '../components/common';
import { hashtagsIn } from '../components/Autocomplete';
import { Composer } from '../components/Composer';
import { applyLiveChange, mergeLivePost } from '../components/live-posts';
import { PostCard } from '../components/PostCard';
import { subscribe } from '../live';
import { useMe } from '../session';

interface Thread {
  root: Post;
  items: Post[];
  nextCursor: string | null;
}

/** A conversation: the root post, replies oldest first (new ones added at the end), a reply box. */
export function ThreadPage() {
  const id = useParams().id ?? '';
  const me = useMe();
  const [root, setRoot] = useState<Post | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [replies, setReplies] = useState<Post[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    setDeleted(false);
    get<Thread>(`/api/v1/posts/${id}/thread`).then(
      (t) => {
        if (!live) return;
        setRoot(t.root);
        setReplies(t.items);
        setCursor(t.nextCursor);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [id]);

  const refetch = useCallback((postId: string) => {
    void get<Post>(`/api/v1/posts/${postId}`).then(
      (p) => {
        setRoot((r) => (r?.id === p.id ? p : r));
        setReplies((list) => list.map((x) => (x.id === p.id ? p : x)));
      },
      () => undefined,
    );
  }, []);

  useEffect(
    () =>
      subscribe((event) => {
        const d = event.data as { postId?: string; parentId?: string | null; post?: Omit<Post, 'myReactions'> };
        if (event.type === 'post.created' && d.post && d.parentId === id) {
          const reply = mergeLivePost(undefined, d.post);
          setReplies((list) => (list.some((x) => x.id === reply.id) ? list : [...list, reply]));
        }
        if (event.type === 'post.deleted' && d.postId === id) setDeleted(true);
        setRoot((r) => (r ? (applyLiveChange([r], event, me.user.id, refetch)[0] ?? r) : r));
        setReplies((list) => applyLiveChange(list, event, me.user.id, refetch));
      }),
    [id, me.user.id, refetch],
  );

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const t = await get<Thread>(`/api/v1/posts/${id}/thread?cursor=${encodeURIComponent(cursor)}`);
      setReplies((list) => [...list, ...t.items.filter((p) => !list.some((x) => x.id === p.id))]);
      setCursor(t.nextCursor);
    } catch (e) {
      setError(e);
    }
  };

  const swap = (p: Post) => {
    if (p.id === root?.id) setRoot(p);
    else setReplies((list) => list.map((x) => (x.id === p.id ? p : x)));
  };

  return (
    <>
      <PageTitle>Thread</PageTitle>
      {loading && <Loading />}
      <ErrorMessage error={error} />
      {deleted && (
        <p className="notice">
          This post was deleted. <Link to="/">Back to home</Link>
        </p>
      )}
      {root && !deleted && (
        <>
          <PostCard post={root} isThreadRoot onChange={swap} onDeleted={() => setDeleted(true)} />
          <section aria-labelledby="replies-heading" className="thread-replies">
            <h2 id="replies-heading">{replies.length === 1 ? '1 reply' : `${replies.length}${cursor ? '+' : ''} replies`}</h2>
            {replies.map((p) => (
              <PostCard key={p.id} post={p} onChange={swap} onDeleted={(rid) => setReplies((list) => list.filter((x) => x.id !== rid))} />
            ))}
            {cursor && (
              <button type="button" onClick={() => void loadMore()}>
                Load more replies
              </button>
            )}
            <Composer
              parentId={root.id}
              label="Write a reply"
              hashtags={() => hashtagsIn([root, ...replies].map((p) => p.body))}
              onPosted={(p) => setReplies((list) => (list.some((x) => x.id === p.id) ? list.map((x) => (x.id === p.id ? p : x)) : [...list, p]))}
            />
          </section>
        </>
      )}
    </>
  );
}
