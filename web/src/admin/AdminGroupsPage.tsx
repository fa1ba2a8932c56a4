import { useState, type FormEvent } from 'react';
import { patch, query, type Group } from '../api';
import { ErrorMessage, Loading, PageTitle } from '../components/common';
import { ConfirmButton } from './ConfirmButton';
import { GroupEmailAddress } from './GroupEmailAddress';
import { usePaged } from './usePaged';
import './admin.css';

/** Groups: every group (archived too), visibility, archive/unarchive, posting email addresses. */
export function AdminGroupsPage() {
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState('');
  const { items, setItems, loading, error, hasMore, loadMore } = usePaged<Group>(`/api/v1/groups${query({ includeArchived: true, q: applied.trim(), limit: 50 })}`);
  const replace = (g: Group) => setItems((prev) => prev.map((x) => (x.id === g.id ? g : x)));

  const search = (e: FormEvent) => {
    e.preventDefault();
    setApplied(q);
  };

  return (
    <>
      <PageTitle>Groups</PageTitle>
      <form role="search" aria-label="Groups" className="card row" onSubmit={search}>
        <label htmlFor="groups-q" className="inline">
          Group name
        </label>
        <input id="groups-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} style={{ flex: '1 1 12rem', width: 'auto' }} />
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={error} />
      <div className="table-wrap card">
        <table>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Visibility</th>
              <th scope="col" className="num">
                Members
              </th>
              <th scope="col">State</th>
              <th scope="col">Posting by email</th>
            </tr>
          </thead>
          <tbody>
            {items.map((g) => (
              <GroupRow key={g.id} group={g} onChange={replace} />
            ))}
          </tbody>
        </table>
        {loading && <Loading />}
        {!loading && items.length === 0 && !error && <p className="muted">No groups.</p>}
        {hasMore && !loading && (
          <button type="button" onClick={loadMore}>
            Load more
          </button>
        )}
      </div>
    </>
  );
}

function GroupRow({ group, onChange }: { group: Group; onChange: (g: Group) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);
  const update = async (changes: Partial<{ visibility: Group['visibility']; archived: boolean }>) => {
    setError(null);
    try {
      onChange(await patch<Group>(`/api/v1/groups/${group.id}`, changes));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <tr>
      <th scope="row">
        {group.name}
        {group.description && <div className="muted">{group.description}</div>}
      </th>
      <td>
        <select aria-label={`Visibility of ${group.name}`} value={group.visibility} onChange={(e) => void update({ visibility: e.target.value as Group['visibility'] })}>
          <option value="public">Public</option>
          <option value="private">Private</option>
        </select>
        <ErrorMessage error={error} />
      </td>
      <td className="num">{group.memberCount}</td>
      <td>
        <div className="stack">
          <span className="tag">{group.archivedAt ? 'Archived' : 'Active'}</span>
          <div>
            {group.archivedAt ? (
              <button type="button" onClick={() => void update({ archived: false })}>
                Unarchive {group.name}
              </button>
            ) : (
              <ConfirmButton
                label={`Archive ${group.name}`}
                question={`Archive ${group.name}? Nobody can post in it; its posts stay.`}
                confirmLabel="Yes, archive"
                onConfirm={() => update({ archived: true })}
              />
            )}
          </div>
        </div>
      </td>
      <td>
        <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
          <summary>Email address of {group.name}</summary>
          {open && <GroupEmailAddress groupId={group.id} groupName={group.name} />}
        </details>
      </td>
    </tr>
  );
}
