import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { del, get, post, type Page, type User } from '../api';
import { ErrorMessage, Loading, PageTitle } from '../components/common';
import { Feed } from '../components/Feed';
import { useMe } from '../session';

/** A user profile (by id, or by handle at /people/:handle): details, follow, their posts. */
export function ProfilePage() {
  const params = useParams();
  const me = useMe();
  const [user, setUser] = useState<User | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [follow, setFollow] = useState<{ following: boolean; followers: number; followees: number } | null>(null);
  const following = follow?.following ?? false;
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    setUser(null);
    setError(null);
    setFollow(null);
    const load = params.id
      ? get<User>(`/api/v1/users/${params.id}`)
      : get<Page<User>>(`/api/v1/users?q=${encodeURIComponent(params.handle ?? '')}&limit=50`).then((r) => {
          const found = r.items.find((u) => u.handle.toLowerCase() === (params.handle ?? '').toLowerCase());
          if (!found) throw new Error('not found');
          return found;
        });
    load.then(
      (u) => {
        if (!live) return;
        setUser(u);
        void get<{ following: boolean; followers: number; followees: number }>(`/api/v1/users/${u.id}/follow`).then((f) => live && setFollow(f), () => undefined);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [params.id, params.handle]);

  const toggleFollow = async () => {
    if (!user) return;
    setBusy(true);
    setError(null);
    try {
      if (following) await del(`/api/v1/users/${user.id}/follow`);
      else await post(`/api/v1/users/${user.id}/follow`);
      setFollow(await get<{ following: boolean; followers: number; followees: number }>(`/api/v1/users/${user.id}/follow`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (error && !user) {
    return (
      <>
        <PageTitle>Person not found</PageTitle>
        <ErrorMessage error={error instanceof Error && error.message === 'not found' ? null : error} />
        <p className="muted">No one with that name works here, or their account is closed.</p>
      </>
    );
  }
  if (!user) return <Loading />;
  const self = user.id === me.user.id;
  return (
    <>
      <PageTitle
        actions={
          !self && (
            <button type="button" className={following ? '' : 'primary'} aria-pressed={following} disabled={busy || !follow} onClick={() => void toggleFollow()}>
              {following ? 'Unfollow' : 'Follow'}
            </button>
          )
        }
      >
        {user.displayName}
      </PageTitle>
      <div className="card profile-meta">
        <p className="muted">@{user.handle}</p>
        {follow && (
          <p className="muted">
            {follow.followers} follower{follow.followers === 1 ? '' : 's'} · follows {follow.followees}
          </p>
        )}
        {user.title && <p>{user.title}</p>}
        {user.department && <p>Department: {user.department}</p>}
        {user.status === 'deactivated' && <p className="tag">deactivated</p>}
      </div>
      <ErrorMessage error={error} />
      <h2>Posts</h2>
      <Feed key={user.id} source={`/api/v1/streams/users/${user.id}`} label={`Posts by ${user.displayName}`} belongs={(p) => p.author.id === user.id} />
    </>
  );
}
