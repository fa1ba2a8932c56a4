import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { query, type User } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { allUsers, dayAfter, dayStart, formatDateTime } from './directory';
import { usePaged } from './usePaged';
import './admin.css';

interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string } | null;
  ip: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

const FILTERS = ['action', 'actorId', 'targetId', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** The audit log, newest first, filtered by the address's query (so a filtered view can be shared). */
export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const applied = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filters;
  const users = useAsync(() => allUsers(), []);
  const path = `/api/v1/audit${query({
    action: applied.action,
    actorId: applied.actorId,
    targetId: applied.targetId,
    from: applied.from ? dayStart(applied.from) : undefined,
    to: applied.to ? dayAfter(applied.to) : undefined,
    limit: 50,
  })}`;
  const events = usePaged<AuditEvent>(path);
  const userName = (id: string | null) => (id ? (users.data?.find((u) => u.id === id)?.displayName ?? id) : null);

  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <FilterForm
        key={params.toString()}
        applied={applied}
        users={users.data ?? []}
        onApply={(f) => setParams(new URLSearchParams(Object.entries(f).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()])))}
      />
      <section className="card" aria-labelledby="audit-events">
        <h2 id="audit-events">Events</h2>
        <ErrorMessage error={events.error} />
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">IP</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {events.items.map((e) => (
                <tr key={e.id}>
                  <th scope="row">
                    <time dateTime={e.occurredAt}>{formatDateTime(e.occurredAt)}</time>
                  </th>
                  <td>
                    {e.actor.type === 'user' ? userName(e.actor.id) : e.actor.type}
                    {e.actor.type !== 'user' && e.actor.id && <div className="muted">{e.actor.id}</div>}
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.target ? (
                      <>
                        {e.target.type}
                        <div className="muted">
                          <code>{e.target.type === 'user' ? (userName(e.target.id) ?? e.target.id) : e.target.id}</code>
                        </div>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{e.ip ?? '—'}</td>
                  <td className="audit-data">
                    {Object.keys(e.data).length > 0 ? (
                      <details>
                        <summary>Details of event {e.seq}</summary>
                        <pre>{JSON.stringify(e.data, null, 2)}</pre>
                      </details>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {events.loading && <Loading />}
        {!events.loading && events.items.length === 0 && !events.error && <p className="muted">No events match.</p>}
        {events.hasMore && !events.loading && (
          <button type="button" onClick={events.loadMore}>
            Load more
          </button>
        )}
      </section>
    </>
  );
}

function FilterForm({ applied, users, onApply }: { applied: Filters; users: User[]; onApply: (f: Filters) => void }) {
  const [f, setF] = useState<Filters>(applied);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(f);
  };
  const empty: Filters = { action: '', actorId: '', targetId: '', from: '', to: '' };
  return (
    <form className="card admin-form" role="search" aria-label="Audit events" onSubmit={submit}>
      <div className="admin-grid">
        <div>
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" value={f.action} onChange={set('action')} placeholder="e.g. hold.created" pattern="[a-z_]+\.[a-z_]+" aria-describedby="audit-action-hint" />
          <p id="audit-action-hint" className="hint">
            An exact action name, like <code>export.requested</code>.
          </p>
        </div>
        <div>
          <label htmlFor="audit-actor">Actor</label>
          <select id="audit-actor" value={f.actorId} onChange={set('actorId')}>
            <option value="">Anyone</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="audit-target">Target ID</label>
          <input id="audit-target" value={f.targetId} onChange={set('targetId')} />
        </div>
        <div>
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="date" value={f.from} onChange={set('from')} />
        </div>
        <div>
          <label htmlFor="audit-to">To (inclusive)</label>
          <input id="audit-to" type="date" value={f.to} onChange={set('to')} />
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={() => (setF(empty), onApply(empty))}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
