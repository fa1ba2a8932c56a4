import { useState, type FormEvent } from 'react';
import { del, get, post } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { ConfirmButton } from './ConfirmButton';
import { formatDateTime } from './directory';
import './admin.css';

interface ScimToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** SCIM tokens: create (the secret shown once), list, revoke. */
export function AdminScimPage() {
  const { data, error, loading, reload } = useAsync(() => get<{ items: ScimToken[] }>('/api/v1/admin/scim/tokens'), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<(ScimToken & { token: string }) | null>(null);
  const [createError, setCreateError] = useState<unknown>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setCreateError(null);
    try {
      setCreated(await post<ScimToken & { token: string }>('/api/v1/admin/scim/tokens', { name: name.trim() }));
      setName('');
      reload();
    } catch (err) {
      setCreateError(err);
    }
  };

  return (
    <>
      <PageTitle>SCIM tokens</PageTitle>
      <p className="muted">
        Your identity provider provisions users and groups at <code>{`${window.location.origin}/scim/v2`}</code> with one of these bearer tokens.
      </p>
      <section className="card" aria-labelledby="scim-new">
        <h2 id="scim-new">New token</h2>
        <form className="admin-form" onSubmit={(e) => void create(e)}>
          <label htmlFor="scim-name">Token name</label>
          <input id="scim-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Okta provisioning" />
          <ErrorMessage error={createError} />
          <div className="actions">
            <button type="submit" className="primary">
              Create token
            </button>
          </div>
        </form>
        {created && (
          <div className="notice secret-once" role="status">
            <p>
              Token "{created.name}": <code className="copyable">{created.token}</code>
            </p>
            <strong>Copy it now: it is shown only this once.</strong>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="scim-list">
        <h2 id="scim-list">Tokens</h2>
        <ErrorMessage error={error} />
        {loading && !data && <Loading />}
        {data && data.items.length === 0 && <p className="muted">No tokens yet.</p>}
        {data && data.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Starts with</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((t) => (
                  <tr key={t.id}>
                    <th scope="row">{t.name}</th>
                    <td>
                      <code>{t.prefix}…</code>
                    </td>
                    <td>{formatDateTime(t.createdAt)}</td>
                    <td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</td>
                    <td>
                      {t.revokedAt ? (
                        <span className="tag">Revoked {formatDateTime(t.revokedAt)}</span>
                      ) : (
                        <ConfirmButton
                          label={`Revoke ${t.name}`}
                          question={`Revoke "${t.name}"? Provisioning with it stops at once.`}
                          confirmLabel="Yes, revoke"
                          onConfirm={async () => {
                            await del(`/api/v1/admin/scim/tokens/${t.id}`);
                            reload();
                          }}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
