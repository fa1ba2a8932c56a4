import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { get, query, type Group, type Page, type Post, type User } from '../api';
import { ErrorMessage, Loading, PageTitle } from '../components/common';
import { PostCard } from '../components/PostCard';
import './social.css';

/** `to` is inclusive in the form (a day the reader picks) and exclusive in the API: the next day. */
function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Full-text search of posts; the query and filters live in the address (?q=&groupId=&authorId=&from=&to=). */
export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const current = {
    q: params.get('q') ?? '',
    groupId: params.get('groupId') ?? '',
    authorId: params.get('authorId') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const [form, setForm] = useState(current);
  const [groups, setGroups] = useState<Group[]>([]);
  const [people, setPeople] = useState<User[]>([]);
  const [results, setResults] = useState<Post[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = params.toString();

  useEffect(() => {
    void get<Page<Group>>('/api/v1/groups?limit=100').then((r) => setGroups(r.items), () => undefined);
    void get<Page<User>>('/api/v1/users?limit=100&status=active').then((r) => setPeople(r.items), () => undefined);
  }, []);

  const apiQuery = (cursorValue?: string) =>
    `/api/v1/search${query({ q: current.q, groupId: current.groupId, authorId: current.authorId, from: current.from, to: current.to ? dayAfter(current.to) : '', cursor: cursorValue })}`;

  useEffect(() => {
    setForm(current);
    if (!current.q.trim()) {
      setResults([]);
      setCursor(null);
      return;
    }
    let live = true;
    setLoading(true);
    setError(null);
    get<Page<Post>>(apiQuery()).then(
      (r) => {
        if (!live) return;
        setResults(r.items);
        setCursor(r.nextCursor);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setResults([]);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v.trim()) next.set(k, v.trim());
    setParams(next);
  };

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const r = await get<Page<Post>>(apiQuery(cursor));
      setResults((list) => [...list, ...r.items]);
      setCursor(r.nextCursor);
    } catch (e) {
      setError(e);
    }
  };

  const set = (field: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));
  return (
    <>
      <PageTitle>Search</PageTitle>
      <form role="search" aria-label="Search posts" className="card" onSubmit={submit}>
        <label htmlFor="search-q">Search for</label>
        <input id="search-q" type="search" value={form.q} onChange={set('q')} placeholder={'words, "a phrase", -not'} />
        <div className="filters">
          <div>
            <label htmlFor="search-group">Group</label>
            <select id="search-group" value={form.groupId} onChange={set('groupId')}>
              <option value="">Any group or the company stream</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="search-author">Author</label>
            <select id="search-author" value={form.authorId} onChange={set('authorId')}>
              <option value="">Anyone</option>
              {people.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName} (@{u.handle})
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="search-from">From</label>
            <input id="search-from" type="date" value={form.from} onChange={set('from')} />
          </div>
          <div>
            <label htmlFor="search-to">To (inclusive)</label>
            <input id="search-to" type="date" value={form.to} onChange={set('to')} />
          </div>
        </div>
        <div className="row composer-actions">
          <button type="submit" className="primary">
            Search
          </button>
        </div>
      </form>
      <ErrorMessage error={error} />
      {loading && <Loading label="Searching…" />}
      {current.q && !loading && (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading" aria-live="polite">
            {results.length === 0 ? 'No posts found' : `Results for “${current.q}”`}
          </h2>
          {results.map((p) => (
            <PostCard
              key={p.id}
              post={p}
              onChange={(n) => setResults((list) => list.map((x) => (x.id === n.id ? n : x)))}
              onDeleted={(id) => setResults((list) => list.filter((x) => x.id !== id))}
            />
          ))}
          {cursor && (
            <button type="button" onClick={() => void loadMore()}>
              Load more
            </button>
          )}
        </section>
      )}
    </>
  );
}
