import { useCallback, useState, type FormEvent } from 'react';
import { get, post, type Group, type User } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { allGroups, allUsers, dayAfter, dayStart, formatDateTime, selectedValues } from './directory';
import { ExportProgress, type ComplianceExport } from './ExportProgress';
import type { LegalHold } from './HoldCriteriaForm';
import { usePaged } from './usePaged';
import './admin.css';

const FORMATS: Array<{ value: string; label: string; byDefault: boolean }> = [
  { value: 'csv', label: 'Posts as CSV', byDefault: true },
  { value: 'eml', label: 'Posts as email (.eml)', byDefault: true },
  { value: 'rsmf', label: 'Conversations as RSMF', byDefault: true },
  { value: 'attachments', label: 'Attachments', byDefault: true },
  { value: 'audit', label: 'Audit events', byDefault: false },
];

interface ExportKey {
  algorithm: string;
  publicKeyPem: string;
  fingerprint: string;
  createdAt: string;
}

/** Exports: request a signed bundle, watch it being built, download it; the key that signs them. */
export function ExportsPage() {
  const exportsList = usePaged<ComplianceExport>('/api/v1/compliance/exports?limit=25');
  const directory = useAsync(async () => {
    const [users, groups, holds] = await Promise.all([allUsers(), allGroups(true), get<{ items: LegalHold[] }>('/api/v1/compliance/holds?limit=100')]);
    return { users, groups, holds: holds.items };
  }, []);
  const key = useAsync(() => get<ExportKey>('/api/v1/compliance/export-key'), []);
  const { setItems } = exportsList;
  const update = useCallback((e: ComplianceExport) => setItems((all) => all.map((x) => (x.id === e.id ? e : x))), [setItems]);

  return (
    <>
      <PageTitle>Exports</PageTitle>
      <RequestExport
        users={directory.data?.users ?? []}
        groups={directory.data?.groups ?? []}
        holds={directory.data?.holds ?? []}
        onRequested={(e) => setItems((all) => [e, ...all.filter((x) => x.id !== e.id)])}
      />
      <section className="card" aria-labelledby="exports-list">
        <h2 id="exports-list">Requested exports</h2>
        <ErrorMessage error={exportsList.error} />
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Covering</th>
                <th scope="col">Status</th>
                <th scope="col">Contents</th>
                <th scope="col">Bundle</th>
              </tr>
            </thead>
            <tbody>
              {exportsList.items.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{formatDateTime(e.createdAt)}</th>
                  <td>
                    From {formatDateTime(e.filters.from)}, before {formatDateTime(e.filters.to)}
                    {e.filters.query && <div className="muted">Query: {e.filters.query}</div>}
                    {e.filters.holdId && <div className="muted">{holdName(directory.data?.holds, e.filters.holdId)}</div>}
                    {(e.filters.custodians?.length ?? 0) > 0 && <div className="muted">{e.filters.custodians!.length} custodians</div>}
                    {(e.filters.groups?.length ?? 0) > 0 && <div className="muted">{e.filters.groups!.length} groups</div>}
                  </td>
                  <td className={`status-${e.status}`}>
                    <span>{statusText(e)}</span>
                    <ExportProgress exp={e} onUpdate={update} />
                    {e.error && <div className="error">{e.error}</div>}
                  </td>
                  <td>{countsText(e)}</td>
                  <td>
                    {e.status === 'completed' && e.downloadUrl && (
                      <div className="stack">
                        <a href={e.downloadUrl} download>
                          Download
                        </a>
                        {e.sizeBytes !== null && <span className="muted"> {formatSize(e.sizeBytes)}</span>}
                        {e.sha256 && (
                          <div>
                            SHA-256: <code className="copyable">{e.sha256}</code>
                          </div>
                        )}
                        {e.expiresAt && <div className="muted">Available until {formatDateTime(e.expiresAt)}</div>}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {exportsList.loading && <Loading />}
        {!exportsList.loading && exportsList.items.length === 0 && !exportsList.error && <p className="muted">No exports yet.</p>}
        {exportsList.hasMore && !exportsList.loading && (
          <button type="button" onClick={exportsList.loadMore}>
            Load more
          </button>
        )}
      </section>
      <section className="card" aria-labelledby="export-key">
        <h2 id="export-key">Signing key</h2>
        <ErrorMessage error={key.error} />
        {key.data && (
          <>
            <p>
              Every bundle's manifest is signed with this organisation's {key.data.algorithm} key. Check a bundle against this fingerprint.
            </p>
            <dl className="settings">
              <dt>Fingerprint (SHA-256)</dt>
              <dd>
                <code className="copyable" data-testid="export-key-fingerprint">
                  {key.data.fingerprint}
                </code>
              </dd>
              <dt>Created</dt>
              <dd>{formatDateTime(key.data.createdAt)}</dd>
            </dl>
            <details>
              <summary>Public key (PEM)</summary>
              <pre className="copyable">{key.data.publicKeyPem}</pre>
            </details>
          </>
        )}
      </section>
    </>
  );
}

const holdName = (holds: LegalHold[] | undefined, id: string) => `Hold: ${holds?.find((h) => h.id === id)?.matter ?? id}`;

function statusText(e: ComplianceExport): string {
  switch (e.status) {
    case 'queued':
      return 'Queued';
    case 'running':
      return 'Building';
    case 'completed':
      return `Completed ${formatDateTime(e.completedAt)}`;
    case 'failed':
      return 'Failed';
    case 'expired':
      return 'Expired';
  }
}

function countsText(e: ComplianceExport): string {
  const c = e.counts;
  if (c.posts === undefined) return e.formats.join(', ');
  const parts = [`${c.posts} posts`, `${c.versions ?? 0} versions`];
  if (c.deletedPosts) parts.push(`${c.deletedPosts} deleted`);
  if (c.attachments) parts.push(`${c.attachments} attachments`);
  if (c.auditEvents) parts.push(`${c.auditEvents} audit events`);
  return `${parts.join(', ')} (${e.formats.join(', ')})`;
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function RequestExport({ users, groups, holds, onRequested }: { users: User[]; groups: Group[]; holds: LegalHold[]; onRequested: (e: ComplianceExport) => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [custodians, setCustodians] = useState<string[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [holdId, setHoldId] = useState('');
  const [q, setQ] = useState('');
  const [formats, setFormats] = useState<string[]>(FORMATS.filter((f) => f.byDefault).map((f) => f.value));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { from: dayStart(from), to: dayAfter(to), formats };
      if (custodians.length) body.custodians = custodians;
      if (groupIds.length) body.groups = groupIds;
      if (holdId) body.holdId = holdId;
      if (q.trim()) body.query = q.trim();
      onRequested(await post<ComplianceExport>('/api/v1/compliance/exports', body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="export-request">
      <h2 id="export-request">Request an export</h2>
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        <div className="admin-grid">
          <div>
            <label htmlFor="export-from">From</label>
            <input id="export-from" type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div>
            <label htmlFor="export-to">To (inclusive)</label>
            <input id="export-to" type="date" required value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
          </div>
          <div>
            <label htmlFor="export-hold">Legal hold</label>
            <select id="export-hold" value={holdId} onChange={(e) => setHoldId(e.target.value)}>
              <option value="">No hold: the filters alone</option>
              {holds.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.matter}
                  {h.status === 'released' ? ' (released)' : ''}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="export-query">Search text (optional)</label>
            <input id="export-query" maxLength={500} value={q} onChange={(e) => setQ(e.target.value)} aria-describedby="export-query-hint" />
            <p id="export-query-hint" className="hint">
              Matches every version of a post: words, "phrases", or, -word.
            </p>
          </div>
          <div>
            <label htmlFor="export-custodians">Custodians</label>
            <select id="export-custodians" multiple value={custodians} onChange={(e) => setCustodians(selectedValues(e.target))} aria-describedby="export-custodians-hint">
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName} ({u.email})
                </option>
              ))}
            </select>
            <p id="export-custodians-hint" className="hint">
              None chosen: posts by anyone.
            </p>
          </div>
          <div>
            <label htmlFor="export-groups">Groups</label>
            <select id="export-groups" multiple value={groupIds} onChange={(e) => setGroupIds(selectedValues(e.target))} aria-describedby="export-groups-hint">
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
            <p id="export-groups-hint" className="hint">
              None chosen: every group and the company stream.
            </p>
          </div>
        </div>
        <fieldset>
          <legend>Also include (posts.jsonl and the signed manifest are always there)</legend>
          {FORMATS.map((f) => (
            <label key={f.value} className="inline">
              <input
                type="checkbox"
                checked={formats.includes(f.value)}
                onChange={(e) => setFormats((all) => (e.target.checked ? [...all, f.value] : all.filter((x) => x !== f.value)))}
              />
              {f.label}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Request export
          </button>
        </div>
      </form>
    </section>
  );
}
