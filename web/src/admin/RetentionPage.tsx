import { useEffect, useState, type FormEvent } from 'react';
import { del, get, post, put, type Group } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { ConfirmButton } from './ConfirmButton';
import { allGroups, formatDateTime } from './directory';
import './admin.css';

interface Policy {
  retainDays: number | null;
  deletedGraceDays: number;
  groups: Array<{ groupId: string; groupName: string; retainDays: number | null }>;
}
interface Counts {
  due: number;
  dueDeleted: number;
  protectedByHolds: number;
  waitingForReplies: number;
}
interface Preview {
  asOf: string;
  deletedGraceDays: number;
  scopes: Array<Counts & { groupId: string | null; groupName: string; retainDays: number | null }>;
  totals: Counts;
}
interface Sweep {
  id: string;
  trigger: 'schedule' | 'manual';
  status: 'running' | 'completed' | 'interrupted' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  counts: { purged?: number; deletedPurged?: number; heldSkipped?: number; attachmentsRemoved?: number };
  error: string | null;
}

const days = (d: number | null) => (d === null ? 'Forever' : `${d} days`);
/** "" → null (keep forever), else the whole number typed. */
const parseDays = (s: string) => (s.trim() === '' ? null : Number(s));

/** Retention: the org default and group overrides, what a sweep would purge now, and sweeps. */
export function RetentionPage() {
  const policy = useAsync(() => get<Policy>('/api/v1/compliance/retention'), []);
  const preview = useAsync(() => get<Preview>('/api/v1/compliance/retention/preview'), []);
  const groups = useAsync(() => allGroups(false), []);
  const changed = (p: Policy) => {
    policy.setData(p);
    preview.reload();
  };
  return (
    <>
      <PageTitle>Retention</PageTitle>
      <ErrorMessage error={policy.error} />
      {policy.loading && !policy.data && <Loading />}
      {policy.data && <DefaultPolicy policy={policy.data} onSaved={changed} />}
      {policy.data && <GroupOverrides policy={policy.data} groups={groups.data ?? []} onChanged={() => (policy.reload(), preview.reload())} />}
      <PreviewTable preview={preview.data} error={preview.error} loading={preview.loading} />
      <Sweeps onFinished={preview.reload} />
    </>
  );
}

function DefaultPolicy({ policy, onSaved }: { policy: Policy; onSaved: (p: Policy) => void }) {
  const [retain, setRetain] = useState(policy.retainDays === null ? '' : String(policy.retainDays));
  const [grace, setGrace] = useState(String(policy.deletedGraceDays));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      onSaved(await put<Policy>('/api/v1/compliance/retention', { retainDays: parseDays(retain), deletedGraceDays: Number(grace) }));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" aria-labelledby="ret-default">
      <h2 id="ret-default">Organisation default</h2>
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        <div className="admin-grid">
          <div>
            <label htmlFor="ret-days">Keep posts for (days)</label>
            <input id="ret-days" type="number" min={1} max={36500} value={retain} onChange={(e) => setRetain(e.target.value)} aria-describedby="ret-days-hint" />
            <p id="ret-days-hint" className="hint">
              Empty keeps posts forever.
            </p>
          </div>
          <div>
            <label htmlFor="ret-grace">Purge deleted posts after (days)</label>
            <input id="ret-grace" type="number" min={0} max={3650} required value={grace} onChange={(e) => setGrace(e.target.value)} />
          </div>
        </div>
        <ErrorMessage error={error} />
        {saved && (
          <p className="notice" role="status">
            Saved. The preview below is updated.
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            Save default
          </button>
        </div>
      </form>
    </section>
  );
}

function GroupOverrides({ policy, groups, onChanged }: { policy: Policy; groups: Group[]; onChanged: () => void }) {
  const [groupId, setGroupId] = useState('');
  const [retain, setRetain] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await put(`/api/v1/compliance/retention/groups/${groupId}`, { retainDays: parseDays(retain) });
      setGroupId('');
      setRetain('');
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" aria-labelledby="ret-groups">
      <h2 id="ret-groups">Group overrides</h2>
      {policy.groups.length === 0 ? (
        <p className="muted">Every group follows the default.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Keep posts for</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {policy.groups.map((g) => (
                <tr key={g.groupId}>
                  <th scope="row">{g.groupName}</th>
                  <td>{days(g.retainDays)}</td>
                  <td>
                    <ConfirmButton
                      label={`Remove override of ${g.groupName}`}
                      question={`${g.groupName} follows the default again?`}
                      confirmLabel="Yes, remove"
                      onConfirm={async () => {
                        await del(`/api/v1/compliance/retention/groups/${g.groupId}`);
                        onChanged();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        <h3>Set an override</h3>
        <div className="admin-grid">
          <div>
            <label htmlFor="ret-group">Group</label>
            <select id="ret-group" required value={groupId} onChange={(e) => setGroupId(e.target.value)}>
              <option value="">Choose a group</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="ret-group-days">Keep its posts for (days)</label>
            <input id="ret-group-days" type="number" min={1} max={36500} value={retain} onChange={(e) => setRetain(e.target.value)} aria-describedby="ret-group-days-hint" />
            <p id="ret-group-days-hint" className="hint">
              Empty keeps them forever.
            </p>
          </div>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit">Set override</button>
        </div>
      </form>
    </section>
  );
}

function PreviewTable({ preview, error, loading }: { preview: Preview | undefined; error: unknown; loading: boolean }) {
  return (
    <section className="card" aria-labelledby="ret-preview">
      <h2 id="ret-preview">What a sweep would purge now</h2>
      <ErrorMessage error={error} />
      {loading && <Loading label="Counting…" />}
      {preview && (
        <>
          <p className="muted">
            As of {formatDateTime(preview.asOf)}; deleted posts purged after {preview.deletedGraceDays} days.
          </p>
          <div className="table-wrap">
            <table aria-label="Retention preview">
              <thead>
                <tr>
                  <th scope="col">Scope</th>
                  <th scope="col">Keep for</th>
                  <th scope="col" className="num">Due</th>
                  <th scope="col" className="num">Deleted, due</th>
                  <th scope="col" className="num">Kept by legal holds</th>
                  <th scope="col" className="num">Waiting for replies</th>
                </tr>
              </thead>
              <tbody>
                {preview.scopes.map((s) => (
                  <tr key={s.groupId ?? 'company'}>
                    <th scope="row">{s.groupName}</th>
                    <td>{days(s.retainDays)}</td>
                    <td className="num">{s.due}</td>
                    <td className="num">{s.dueDeleted}</td>
                    <td className="num">{s.protectedByHolds}</td>
                    <td className="num">{s.waitingForReplies}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td />
                  <td className="num">{preview.totals.due}</td>
                  <td className="num">{preview.totals.dueDeleted}</td>
                  <td className="num">{preview.totals.protectedByHolds}</td>
                  <td className="num">{preview.totals.waitingForReplies}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Sweeps({ onFinished }: { onFinished: () => void }) {
  const sweeps = useAsync(() => get<{ items: Sweep[] }>('/api/v1/compliance/retention/sweeps?limit=10'), []);
  const reloadSweeps = sweeps.reload;
  const [error, setError] = useState<unknown>(null);
  const [waitingFor, setWaitingFor] = useState<number | null>(null);
  const [polls, setPolls] = useState(0);
  const items = sweeps.data?.items ?? [];
  const running = items.some((s) => s.status === 'running');
  const pending = waitingFor !== null && items.length <= waitingFor;

  // Sweeps run in the background: look again every second while one is queued or running (at most a minute).
  useEffect(() => {
    if (!(running || pending) || polls >= 60) {
      if (waitingFor !== null && !pending && !running) {
        setWaitingFor(null);
        onFinished();
      }
      return;
    }
    const t = window.setTimeout(() => {
      setPolls((p) => p + 1);
      reloadSweeps();
    }, 1000);
    return () => window.clearTimeout(t);
  }, [running, pending, polls, waitingFor, reloadSweeps, onFinished]);

  const run = async () => {
    setError(null);
    try {
      await post('/api/v1/compliance/retention/sweeps');
      setWaitingFor(items.length);
      setPolls(0);
      sweeps.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="ret-sweeps">
      <h2 id="ret-sweeps">Sweeps</h2>
      <div className="row">
        <ConfirmButton label="Run sweep now" question="Purge what is due now? Purged posts cannot be recovered." confirmLabel="Yes, run the sweep" onConfirm={run} />
        {(running || pending) && <span role="status">Sweep in progress…</span>}
      </div>
      <ErrorMessage error={error ?? sweeps.error} />
      {items.length === 0 && !sweeps.loading && <p className="muted">No sweeps yet.</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Recent sweeps">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Purged</th>
                <th scope="col" className="num">Of them deleted</th>
                <th scope="col" className="num">Held, skipped</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{formatDateTime(s.startedAt)}</th>
                  <td>{s.trigger === 'manual' ? 'Run by hand' : 'Scheduled'}</td>
                  <td className={`status-${s.status}`}>
                    {s.status}
                    {s.error && <div className="muted">{s.error}</div>}
                  </td>
                  <td className="num">{s.counts.purged ?? 0}</td>
                  <td className="num">{s.counts.deletedPurged ?? 0}</td>
                  <td className="num">{s.counts.heldSkipped ?? 0}</td>
                  <td>{formatDateTime(s.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
