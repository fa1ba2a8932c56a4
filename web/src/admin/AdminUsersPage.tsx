import { useState, type FormEvent } from 'react';
import { patch, post, query, type User } from '../api';
import { ErrorMessage, Loading, PageTitle } from '../components/common';
import { useMe } from '../session';
import { ConfirmButton } from './ConfirmButton';
import { ROLES } from './directory';
import { usePaged } from './usePaged';
import './admin.css';

interface Filters {
  q: string;
  status: string;
  role: string;
}

/** Users: list, search, create, change role, deactivate/reactivate. */
export function AdminUsersPage() {
  const [filters, setFilters] = useState<Filters>({ q: '', status: '', role: '' });
  const [draft, setDraft] = useState<Filters>(filters);
  const [created, setCreated] = useState<User | null>(null);
  const [version, setVersion] = useState(0);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };

  return (
    <>
      <PageTitle>Users</PageTitle>
      <section className="card" aria-labelledby="users-find">
        <h2 id="users-find">Find users</h2>
        <form role="search" aria-label="Users" className="admin-form" onSubmit={search}>
          <div className="admin-grid">
            <div>
              <label htmlFor="users-q">Name or email</label>
              <input id="users-q" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
            </div>
            <div>
              <label htmlFor="users-status">Status</label>
              <select id="users-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
                <option value="">Any status</option>
                <option value="active">Active</option>
                <option value="deactivated">Deactivated</option>
              </select>
            </div>
            <div>
              <label htmlFor="users-role">Role</label>
              <select id="users-role" value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value })}>
                <option value="">Any role</option>
                {ROLES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="actions">
            <button type="submit" className="primary">
              Search
            </button>
          </div>
        </form>
      </section>
      <UserTable key={`${JSON.stringify(filters)}:${version}`} filters={filters} />
      <CreateUserForm
        created={created}
        onCreated={(u) => {
          setCreated(u);
          setVersion((v) => v + 1);
        }}
      />
    </>
  );
}

function UserTable({ filters }: { filters: Filters }) {
  const { items: users, setItems: setUsers, loading, error, hasMore, loadMore } = usePaged<User>(
    `/api/v1/users${query({ q: filters.q.trim(), status: filters.status, role: filters.role, limit: 50 })}`,
  );

  const replace = (u: User) => setUsers((prev) => prev.map((x) => (x.id === u.id ? u : x)));

  return (
    <section className="card" aria-labelledby="users-list">
      <h2 id="users-list">People</h2>
      <ErrorMessage error={error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow key={u.id} user={u} onChange={replace} />
            ))}
          </tbody>
        </table>
      </div>
      {loading && <Loading />}
      {!loading && users.length === 0 && !error && <p className="muted">No users match.</p>}
      {hasMore && !loading && (
        <button type="button" onClick={loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}

function UserRow({ user, onChange }: { user: User; onChange: (u: User) => void }) {
  const me = useMe();
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const setRole = async (role: User['role']) => {
    setSaving(true);
    setError(null);
    try {
      onChange(await patch<User>(`/api/v1/users/${user.id}`, { role }));
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  const setStatus = async (status: User['status']) => onChange(await patch<User>(`/api/v1/users/${user.id}`, { status }));

  return (
    <tr>
      <th scope="row">
        {user.displayName}
        <div className="muted">@{user.handle}{user.id === me.user.id ? ' (you)' : ''}</div>
      </th>
      <td>{user.email}</td>
      <td>
        <select aria-label={`Role of ${user.displayName}`} value={user.role} disabled={saving} onChange={(e) => void setRole(e.target.value as User['role'])}>
          {ROLES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        <ErrorMessage error={error} />
      </td>
      <td>
        <span className="tag">{user.status === 'active' ? 'Active' : 'Deactivated'}</span>
      </td>
      <td>
        {user.status === 'active' ? (
          <ConfirmButton
            label={`Deactivate ${user.displayName}`}
            question={`Deactivate ${user.displayName}? Their sessions and tokens end.`}
            confirmLabel="Yes, deactivate"
            onConfirm={() => setStatus('deactivated')}
          />
        ) : (
          <ConfirmButton
            label={`Reactivate ${user.displayName}`}
            question={`Reactivate ${user.displayName}?`}
            confirmLabel="Yes, reactivate"
            danger={false}
            onConfirm={() => setStatus('active')}
          />
        )}
      </td>
    </tr>
  );
}

function CreateUserForm({ created, onCreated }: { created: User | null; onCreated: (u: User) => void }) {
  const empty = { displayName: '', email: '', handle: '', title: '', department: '', role: 'member', password: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const field = (name: keyof typeof empty) => ({
    id: `new-user-${name}`,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { displayName: form.displayName.trim(), email: form.email.trim(), role: form.role };
      for (const k of ['handle', 'title', 'department', 'password'] as const) if (form[k].trim()) body[k] = k === 'password' ? form[k] : form[k].trim();
      onCreated(await post<User>('/api/v1/users', body));
      setForm(empty);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="users-create">
      <h2 id="users-create">Create a user</h2>
      {created && (
        <p className="notice" role="status">
          Created {created.displayName} ({created.email}).
        </p>
      )}
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        <div className="admin-grid">
          <div>
            <label htmlFor="new-user-displayName">Display name</label>
            <input {...field('displayName')} required maxLength={100} autoComplete="off" />
          </div>
          <div>
            <label htmlFor="new-user-email">Email address</label>
            <input {...field('email')} type="email" required maxLength={254} autoComplete="off" />
          </div>
          <div>
            <label htmlFor="new-user-handle">Handle (optional)</label>
            <input {...field('handle')} maxLength={40} autoComplete="off" />
          </div>
          <div>
            <label htmlFor="new-user-title">Job title (optional)</label>
            <input {...field('title')} maxLength={100} />
          </div>
          <div>
            <label htmlFor="new-user-department">Department (optional)</label>
            <input {...field('department')} maxLength={100} />
          </div>
          <div>
            <label htmlFor="new-user-role">New user's role</label>
            <select {...field('role')}>
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="new-user-password">Initial password (optional)</label>
            <input {...field('password')} type="password" minLength={12} maxLength={256} autoComplete="new-password" aria-describedby="new-user-password-hint" />
            <p id="new-user-password-hint" className="hint">
              12 characters or more. Leave empty for people who sign in with SSO.
            </p>
          </div>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Create user
          </button>
        </div>
      </form>
    </section>
  );
}
