import { useState, type FormEvent } from 'react';
import { get, patch, type Org } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { useSession } from '../session';
import './admin.css';

/** The organisation: name, post length, who may post to the company stream, secret email addresses. */
export function AdminOrgPage() {
  // GET /api/v1/me carries the org without its settings: read them from /api/v1/org.
  const { data, error } = useAsync(() => get<Org>('/api/v1/org'), []);
  return (
    <>
      <PageTitle>Organisation</PageTitle>
      <ErrorMessage error={error} />
      {data ? <OrgForm org={data} /> : !error && <Loading />}
    </>
  );
}

function OrgForm({ org }: { org: Org }) {
  const { refresh } = useSession();
  const [form, setForm] = useState({
    name: org.name,
    maxPostLength: String(org.settings.maxPostLength),
    companyPosting: org.settings.companyPosting,
    emailSecretAddresses: org.settings.emailSecretAddresses,
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await patch<Org>('/api/v1/org', {
        name: form.name.trim(),
        settings: { maxPostLength: Number(form.maxPostLength), companyPosting: form.companyPosting, emailSecretAddresses: form.emailSecretAddresses },
      });
      await refresh();
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)}>
        <p className="muted">
          Address: <code>{org.slug}</code> (people type it when they sign in; it cannot change).
        </p>
        <label htmlFor="org-name">Organisation name</label>
        <input id="org-name" required maxLength={200} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <label htmlFor="org-max">Longest post (characters)</label>
        <input
          id="org-max"
          type="number"
          min={100}
          max={10000}
          required
          aria-describedby="org-max-hint"
          value={form.maxPostLength}
          onChange={(e) => setForm({ ...form, maxPostLength: e.target.value })}
        />
        <p id="org-max-hint" className="hint">
          From 100 to 10,000.
        </p>
        <label htmlFor="org-company">Who may post to the company stream</label>
        <select id="org-company" value={form.companyPosting} onChange={(e) => setForm({ ...form, companyPosting: e.target.value as Org['settings']['companyPosting'] })}>
          <option value="everyone">Everyone</option>
          <option value="admins">Admins only</option>
        </select>
        <label className="inline">
          <input type="checkbox" checked={form.emailSecretAddresses} onChange={(e) => setForm({ ...form, emailSecretAddresses: e.target.checked })} />
          Mail to a group's secret address is posted without checking the sender
        </label>
        <p className="hint">Off: mail to a secret address still needs a verified sender (a DKIM signature or DMARC pass). See the Email page.</p>
        <ErrorMessage error={error} />
        {saved && (
          <p className="notice" role="status">
            Saved.
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Save organisation
          </button>
        </div>
      </form>
  );
}
