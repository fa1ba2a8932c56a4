import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { get, post, type Page } from '../api';
import { ErrorMessage, Loading, PageTitle, Time } from '../components/common';
import { PostText } from '../components/PostText';
import { subscribe } from '../live';
import './social.css';

interface Notification {
  id: string;
  kind: 'mention' | 'reply' | 'reaction';
  detail: string | null;
  createdAt: string;
  readAt: string | null;
  actor: { id: string; displayName: string; handle: string };
  post: { id: string; parentId: string | null; excerpt: string };
}

const WHAT: Record<Notification['kind'], string> = { mention: 'mentioned you', reply: 'replied to you', reaction: 'reacted to your post' };

const announceRead = () => window.dispatchEvent(new Event('chorus:notifications-read'));

/** My notifications, newest first; unread ones stand out; open one to read it, or mark all read. */
export function NotificationsPage() {
  const [items, setItems] = useState<Notification[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    get<Page<Notification>>('/api/v1/notifications?limit=50').then(
      (r) => {
        if (!live) return;
        setItems(r.items);
        setCursor(r.nextCursor);
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
  }, [tick]);

  useEffect(() => subscribe((e) => e.type === 'notification.created' && setTick((t) => t + 1)), []);

  const markAll = async () => {
    setError(null);
    try {
      await post('/api/v1/notifications/read', { all: true });
      const now = new Date().toISOString();
      setItems((list) => list.map((n) => ({ ...n, readAt: n.readAt ?? now })));
      announceRead();
    } catch (e) {
      setError(e);
    }
  };

  const markOne = (n: Notification) => {
    if (n.readAt) return;
    void post('/api/v1/notifications/read', { ids: [n.id] }).then(announceRead, () => undefined);
  };

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const r = await get<Page<Notification>>(`/api/v1/notifications?limit=50&cursor=${encodeURIComponent(cursor)}`);
      setItems((list) => [...list, ...r.items]);
      setCursor(r.nextCursor);
    } catch (e) {
      setError(e);
    }
  };

  const unread = items.filter((n) => !n.readAt).length;
  return (
    <>
      <PageTitle
        actions={
          <button type="button" onClick={() => void markAll()} disabled={unread === 0}>
            Mark all as read
          </button>
        }
      >
        Notifications
      </PageTitle>
      <ErrorMessage error={error} />
      {loading && <Loading />}
      {!loading && items.length === 0 && <p className="muted">No notifications yet.</p>}
      <ul className="list-plain" aria-label="Notifications">
        {items.map((n) => (
          <li key={n.id} className={`card notification${n.readAt ? '' : ' unread'}`}>
            <div>
              <p>
                {!n.readAt && <span className="unread-dot">Unread · </span>}
                <Link to={`/users/${n.actor.id}`}>{n.actor.displayName}</Link> {WHAT[n.kind]}
                {n.kind === 'reaction' && n.detail ? ` (${n.detail})` : ''} · <Time at={n.createdAt} />
              </p>
              <PostText text={n.post.excerpt} />
              <Link to={`/posts/${n.post.parentId ?? n.post.id}`} onClick={() => markOne(n)}>
                View post<span className="visually-hidden"> from {n.actor.displayName}</span>
              </Link>
            </div>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </>
  );
}
