import { useState, type FormEvent } from 'react';
import type { Group, User } from '../api';
import { ErrorMessage } from '../components/common';
import { dayAfter, dayStart, selectedValues, toDay } from './directory';

export interface LegalHold {
  id: string;
  matter: string;
  description: string;
  custodianIds: string[];
  groupIds: string[];
  startsAt: string | null;
  endsAt: string | null;
  keywords: string[];
  status: 'active' | 'released';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
  heldPosts?: number;
}

export type HoldCriteria = Pick<LegalHold, 'matter' | 'description' | 'custodianIds' | 'groupIds' | 'startsAt' | 'endsAt' | 'keywords'>;

/** The criteria of a legal hold, to place one or to change one. Dates are whole days, UTC. */
export function HoldCriteriaForm({
  idPrefix,
  initial,
  users,
  groups,
  submitLabel,
  onSubmit,
}: {
  idPrefix: string;
  initial?: LegalHold;
  users: User[];
  groups: Group[];
  submitLabel: string;
  onSubmit: (criteria: HoldCriteria) => Promise<void>;
}) {
  const [matter, setMatter] = useState(initial?.matter ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [custodianIds, setCustodianIds] = useState<string[]>(initial?.custodianIds ?? []);
  const [groupIds, setGroupIds] = useState<string[]>(initial?.groupIds ?? []);
  const [keywords, setKeywords] = useState((initial?.keywords ?? []).join('\n'));
  const [from, setFrom] = useState(toDay(initial?.startsAt));
  // endsAt is exclusive; the form shows the last day included.
  const [to, setTo] = useState(initial?.endsAt ? toDay(new Date(Date.parse(initial.endsAt) - 1).toISOString()) : '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `${idPrefix}-${name}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit({
        matter: matter.trim(),
        description: description.trim(),
        custodianIds,
        groupIds,
        keywords: keywords
          .split('\n')
          .map((k) => k.trim())
          .filter(Boolean),
        startsAt: from ? dayStart(from) : null,
        endsAt: to ? dayAfter(to) : null,
      });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="admin-form" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id('matter')}>Matter</label>
      <input id={id('matter')} required maxLength={200} value={matter} onChange={(e) => setMatter(e.target.value)} placeholder="e.g. Acme v. Chorus (2026-CV-0142)" />
      <label htmlFor={id('description')}>Description (optional)</label>
      <textarea id={id('description')} rows={2} maxLength={4000} value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="admin-grid">
        <div>
          <label htmlFor={id('custodians')}>Custodians</label>
          <select id={id('custodians')} multiple value={custodianIds} onChange={(e) => setCustodianIds(selectedValues(e.target))} aria-describedby={id('custodians-hint')}>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName} ({u.email})
              </option>
            ))}
          </select>
          <p id={id('custodians-hint')} className="hint">
            None chosen: posts by anyone. Ctrl or ⌘ picks several.
          </p>
        </div>
        <div>
          <label htmlFor={id('groups')}>Groups</label>
          <select id={id('groups')} multiple value={groupIds} onChange={(e) => setGroupIds(selectedValues(e.target))} aria-describedby={id('groups-hint')}>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
                {g.archivedAt ? ' (archived)' : ''}
              </option>
            ))}
          </select>
          <p id={id('groups-hint')} className="hint">
            None chosen: every group and the company stream.
          </p>
        </div>
        <div>
          <label htmlFor={id('keywords')}>Keywords (one per line)</label>
          <textarea id={id('keywords')} rows={3} value={keywords} onChange={(e) => setKeywords(e.target.value)} aria-describedby={id('keywords-hint')} />
          <p id={id('keywords-hint')} className="hint">
            Posts any version of which contains one of them. Empty: any text.
          </p>
        </div>
        <div>
          <label htmlFor={id('from')}>Posts from (optional)</label>
          <input id={id('from')} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor={id('to')}>Posts up to and including (optional)</label>
          <input id={id('to')} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      </div>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
