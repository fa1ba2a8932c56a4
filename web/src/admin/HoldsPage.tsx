import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { get, patch, post, query, type Group, type User } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { allGroups, allUsers, formatDateTime } from './directory';
import { HoldCriteriaForm, type LegalHold } from './HoldCriteriaForm';
import { usePaged } from './usePaged';
import './admin.css';

/** Legal holds: list (active/released), place one, and one hold's detail: held posts, criteria, release. */
export function HoldsPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const selected = params.get('hold');
  const holds = usePaged<LegalHold>(`/api/v1/compliance/holds${query({ status, limit: 50 })}`);
  const directory = useAsync(async () => {
    const [users, groups] = await Promise.all([allUsers(), allGroups(true)]);
    return { users, groups };
  }, []);
  const users = directory.data?.users ?? [];
  const groups = directory.data?.groups ?? [];
  const [placed, setPlaced] = useState<LegalHold | null>(null);
  const [version, setVersion] = useState(0);

  const select = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('hold', id);
    else next.delete('hold');
    setParams(next);
  };

  return (
    <>
      <PageTitle>Legal holds</PageTitle>
      <ErrorMessage error={directory.error} />
      {selected && (
        <HoldDetail
          key={`${selected}:${version}`}
          id={selected}
          users={users}
          groups={groups}
          onClose={() => select(null)}
          onChanged={() => {
            setVersion((v) => v + 1);
            holds.reload();
          }}
        />
      )}
      <section className="card" aria-labelledby="holds-list">
        <h2 id="holds-list">Holds</h2>
        <label htmlFor="holds-status" className="inline">
          Show
        </label>
        <select
          id="holds-status"
          value={status}
          style={{ width: 'auto' }}
          onChange={(e) => {
            const next = new URLSearchParams(params);
            if (e.target.value) next.set('status', e.target.value);
            else next.delete('status');
            setParams(next);
          }}
        >
          <option value="">All holds</option>
          <option value="active">Active</option>
          <option value="released">Released</option>
        </select>
        <ErrorMessage error={holds.error} />
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Matter</th>
                <th scope="col">Status</th>
                <th scope="col">Placed</th>
                <th scope="col">Criteria</th>
                <th scope="col" className="num">
                  Held posts
                </th>
              </tr>
            </thead>
            <tbody>
              {holds.items.map((h) => (
                <tr key={h.id}>
                  <th scope="row">
                    <button type="button" className="link-button" aria-current={h.id === selected ? 'true' : undefined} onClick={() => select(h.id)}>
                      {h.matter}
                    </button>
                  </th>
                  <td>
                    <span className="tag">{h.status === 'active' ? 'Active' : 'Released'}</span>
                  </td>
                  <td>{formatDateTime(h.createdAt)}</td>
                  <td>
                    <CriteriaSummary hold={h} users={users} groups={groups} />
                  </td>
                  <td className="num">
                    <HeldPosts key={`${h.id}:${h.updatedAt}:${version}`} id={h.id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {holds.loading && <Loading />}
        {!holds.loading && holds.items.length === 0 && !holds.error && <p className="muted">No holds.</p>}
        {holds.hasMore && !holds.loading && (
          <button type="button" onClick={holds.loadMore}>
            Load more
          </button>
        )}
      </section>
      <section className="card" aria-labelledby="holds-place">
        <h2 id="holds-place">Place a hold</h2>
        <p className="muted">While a hold is active, every post it covers is kept with all its versions, whatever the retention policy says. Custodians are not told.</p>
        {placed && (
          <p className="notice" role="status">
            Hold "{placed.matter}" placed.
          </p>
        )}
        <HoldCriteriaForm
          key={placed?.id ?? 'new'}
          idPrefix="new-hold"
          users={users}
          groups={groups}
          submitLabel="Place hold"
          onSubmit={async (criteria) => {
            const hold = await post<LegalHold>('/api/v1/compliance/holds', criteria);
            setPlaced(hold);
            holds.reload();
          }}
        />
      </section>
    </>
  );
}

/** The list does not carry counts: each row asks for its hold. */
function HeldPosts({ id }: { id: string }) {
  const { data, error } = useAsync(() => get<LegalHold>(`/api/v1/compliance/holds/${id}`), [id]);
  if (error) return <span className="muted">?</span>;
  return <>{data?.heldPosts ?? '…'}</>;
}

function CriteriaSummary({ hold, users, groups }: { hold: LegalHold; users: User[]; groups: Group[] }) {
  const userName = (id: string) => users.find((u) => u.id === id)?.displayName ?? id;
  const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id;
  const parts: string[] = [];
  parts.push(hold.custodianIds.length ? `Custodians: ${hold.custodianIds.map(userName).join(', ')}` : 'Anyone');
  parts.push(hold.groupIds.length ? `Groups: ${hold.groupIds.map(groupName).join(', ')}` : 'every group');
  if (hold.keywords.length) parts.push(`Keywords: ${hold.keywords.join(', ')}`);
  if (hold.startsAt || hold.endsAt) parts.push(`${hold.startsAt ? `from ${formatDateTime(hold.startsAt)}` : ''} ${hold.endsAt ? `before ${formatDateTime(hold.endsAt)}` : ''}`.trim());
  return <span>{parts.join('; ')}</span>;
}

function HoldDetail({ id, users, groups, onClose, onChanged }: { id: string; users: User[]; groups: Group[]; onClose: () => void; onChanged: () => void }) {
  const { data: hold, error, loading } = useAsync(() => get<LegalHold>(`/api/v1/compliance/holds/${id}`), [id]);
  const [editing, setEditing] = useState(false);
  if (loading && !hold) return <Loading />;
  if (!hold) return <ErrorMessage error={error} />;
  return (
    <section className="card" aria-labelledby="hold-detail">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id="hold-detail">{hold.matter}</h2>
        <button type="button" onClick={onClose}>
          Close hold details
        </button>
      </div>
      <dl className="settings">
        <dt>Status</dt>
        <dd>{hold.status === 'active' ? 'Active' : `Released ${formatDateTime(hold.releasedAt)}`}</dd>
        <dt>Held posts</dt>
        <dd data-testid="held-posts">{hold.heldPosts ?? 0}</dd>
        {hold.description && (
          <>
            <dt>Description</dt>
            <dd>{hold.description}</dd>
          </>
        )}
        <dt>Criteria</dt>
        <dd>
          <CriteriaSummary hold={hold} users={users} groups={groups} />
        </dd>
        <dt>Placed</dt>
        <dd>
          {formatDateTime(hold.createdAt)} by {users.find((u) => u.id === hold.createdBy)?.displayName ?? hold.createdBy}
        </dd>
        {hold.releaseReason && (
          <>
            <dt>Release reason</dt>
            <dd>{hold.releaseReason}</dd>
          </>
        )}
      </dl>
      {hold.status === 'active' && (
        <div className="stack hold-actions">
          {editing ? (
            <>
              <h3>Change criteria</h3>
              <HoldCriteriaForm
                idPrefix="edit-hold"
                initial={hold}
                users={users}
                groups={groups}
                submitLabel="Save criteria"
                onSubmit={async (criteria) => {
                  await patch<LegalHold>(`/api/v1/compliance/holds/${id}`, criteria);
                  setEditing(false);
                  onChanged();
                }}
              />
              <button type="button" onClick={() => setEditing(false)}>
                Cancel editing
              </button>
            </>
          ) : (
            <div>
              <button type="button" onClick={() => setEditing(true)}>
                Edit criteria
              </button>
            </div>
          )}
          <ReleaseHold id={id} onReleased={onChanged} />
        </div>
      )}
    </section>
  );
}

function ReleaseHold({ id, onReleased }: { id: string; onReleased: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!open) {
    return (
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Release hold
      </button>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!confirming) {
      setConfirming(true);
      return;
    }
    setError(null);
    try {
      await patch(`/api/v1/compliance/holds/${id}`, { release: { reason: reason.trim() } });
      onReleased();
    } catch (err) {
      setError(err);
      setConfirming(false);
    }
  };
  return (
    <form className="admin-form" onSubmit={(e) => void submit(e)}>
      <h3>Release hold</h3>
      <label htmlFor="release-reason">Reason for release</label>
      <textarea id="release-reason" required maxLength={2000} rows={2} value={reason} onChange={(e) => (setReason(e.target.value), setConfirming(false))} />
      {confirming && (
        <p className="notice" role="alert">
          Releasing is final: posts it kept can be purged by retention. Release now?
        </p>
      )}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="danger">
          {confirming ? 'Yes, release the hold' : 'Release…'}
        </button>
        <button type="button" onClick={() => (setOpen(false), setConfirming(false))}>
          Cancel
        </button>
      </div>
    </form>
  );
}
