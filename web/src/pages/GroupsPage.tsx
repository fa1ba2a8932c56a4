import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { get, post, query, type Group, type Page } from '../api';
import { ErrorMessage, Loading, PageTitle } from '../components/common';
import { refreshMyGroups } from '../components/live-posts';
import { useMe } from '../session';
import './social.css';

/** Join or leave a public group; shared by the list and the group page. */
export function MembershipButton({ group, onChange }: { group: Group; onChange: (g: Group) => void }) {
  const me = useMe();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!group.myRole && group.visibility !== 'public') return null;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      if (group.myRole) {
        await post(`/api/v1/groups/${group.id}/leave`);
        onChange({ ...group, myRole: null, memberCount: group.memberCount - 1 });
      } else {
        await post(`/api/v1/groups/${group.id}/join`);
        onChange({ ...group, myRole: 'member', memberCount: group.memberCount + 1 });
      }
      refreshMyGroups(me.user.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={group.myRole ? '' : 'primary'} disabled={busy} onClick={() => void toggle()}>
        {group.myRole ? 'Leave' : 'Join'}
        <span className="visually-hidden"> {group.name}</span>
      </button>
      <ErrorMessage error={error} />
    </>
  );
}

/** Browse and search groups, join or leave, create one. */
export function GroupsPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [mine, setMine] = useState(false);
  const [groups, setGroups] = useState<Group[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [createError, setCreateError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      setLoading(true);
      get<Page<Group>>(`/api/v1/groups${query({ q: q.trim(), mine: mine || undefined, limit: 50 })}`).then(
        (r) => {
          if (!live) return;
          setGroups(r.items);
          setCursor(r.nextCursor);
          setError(null);
          setLoading(false);
        },
        (e: unknown) => {
          if (!live) return;
          setError(e);
          setLoading(false);
        },
      );
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [q, mine]);

  const loadMore = async () => {
    if (!cursor) return;
    const r = await get<Page<Group>>(`/api/v1/groups${query({ q: q.trim(), mine: mine || undefined, limit: 50, cursor })}`);
    setGroups((list) => [...list, ...r.items]);
    setCursor(r.nextCursor);
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setCreateError(null);
    try {
      const g = await post<Group>('/api/v1/groups', { name, description: description || undefined, visibility });
      refreshMyGroups(me.user.id);
      navigate(`/groups/${g.id}`);
    } catch (err) {
      setCreateError(err);
    }
  };

  return (
    <>
      <PageTitle>Groups</PageTitle>
      <div className="card">
        <label htmlFor="group-search">Search groups</label>
        <input id="group-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <label className="inline">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> Only groups I belong to
        </label>
      </div>
      <section aria-labelledby="group-list-heading">
        <h2 id="group-list-heading">{q ? 'Matching groups' : 'All groups'}</h2>
        {loading && <Loading label="Loading groups…" />}
        <ErrorMessage error={error} />
        {!loading && groups.length === 0 && <p className="muted">No groups found.</p>}
        <ul className="list-plain">
          {groups.map((g) => (
            <li key={g.id} className="card group-card">
              <h3 className="row">
                <Link to={`/groups/${g.id}`}>{g.name}</Link>
                {g.visibility === 'private' && <span className="tag">private</span>}
                {g.archivedAt && <span className="tag">archived</span>}
              </h3>
              {g.description && <p>{g.description}</p>}
              <div className="row">
                <span className="muted">{g.memberCount === 1 ? '1 member' : `${g.memberCount} members`}</span>
                {g.myRole === 'owner' && <span className="tag">owner</span>}
                {!g.archivedAt && g.myRole !== 'owner' && <MembershipButton group={g} onChange={(n) => setGroups((list) => list.map((x) => (x.id === n.id ? n : x)))} />}
              </div>
            </li>
          ))}
        </ul>
        {cursor && (
          <button type="button" onClick={() => void loadMore()}>
            Load more
          </button>
        )}
      </section>
      <section aria-labelledby="create-group-heading" className="card">
        <h2 id="create-group-heading">Create a group</h2>
        <form onSubmit={(e) => void create(e)}>
          <label htmlFor="new-group-name">Name</label>
          <input id="new-group-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          <label htmlFor="new-group-description">Description</label>
          <textarea id="new-group-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          <label htmlFor="new-group-visibility">Visibility</label>
          <select id="new-group-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as 'public' | 'private')}>
            <option value="public">Public: anyone in the company can read and join</option>
            <option value="private">Private: members only</option>
          </select>
          <ErrorMessage error={createError} />
          <div className="row composer-actions">
            <button type="submit" className="primary">
              Create group
            </button>
          </div>
        </form>
      </section>
    </>
  );
}
