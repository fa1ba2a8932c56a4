import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { del, get, patch, post, put, type Page } from '../api';
import { ErrorMessage, PageTitle, Time } from '../components/common';
import { useMe, useSession } from '../session';
import './social.css';

interface EmailPreferences {
  mentions: boolean;
  replies: boolean;
  digest: boolean;
}

interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A settings section with its own save state. */
function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="card">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function Saved({ show }: { show: boolean }) {
  return (
    <span role="status" className="muted">
      {show ? 'Saved.' : ''}
    </span>
  );
}

function ProfileForm() {
  const me = useMe();
  const { refresh } = useSession();
  const [form, setForm] = useState({ displayName: me.user.displayName, title: me.user.title ?? '', department: me.user.department ?? '' });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await patch(`/api/v1/users/${me.user.id}`, { displayName: form.displayName, title: form.title || null, department: form.department || null });
      await refresh();
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={(e) => void save(e)}>
      <label htmlFor="profile-name">Display name</label>
      <input id="profile-name" required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
      <label htmlFor="profile-title">Title</label>
      <input id="profile-title" value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
      <label htmlFor="profile-department">Department</label>
      <input id="profile-department" value={form.department} onChange={(e) => setForm({ ...form, department: e.target.value })} />
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary">
          Save profile
        </button>
        <Saved show={saved} />
      </div>
    </form>
  );
}

function EmailPreferencesForm() {
  const [prefs, setPrefs] = useState<EmailPreferences | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    get<EmailPreferences>('/api/v1/me/email-preferences').then(setPrefs, setError);
  }, []);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!prefs) return;
    setError(null);
    setSaved(false);
    try {
      setPrefs(await put<EmailPreferences>('/api/v1/me/email-preferences', prefs));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  if (!prefs) return <ErrorMessage error={error} />;
  const box = (field: keyof EmailPreferences, text: string) => (
    <label className="inline">
      <input type="checkbox" checked={prefs[field]} onChange={(e) => setPrefs({ ...prefs, [field]: e.target.checked })} /> {text}
    </label>
  );
  return (
    <form onSubmit={(e) => void save(e)}>
      <fieldset>
        <legend>Email me about</legend>
        {box('mentions', 'Posts that mention me')}
        {box('replies', 'Replies to my posts')}
        {box('digest', 'A daily digest')}
      </fieldset>
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary">
          Save email preferences
        </button>
        <Saved show={saved} />
      </div>
    </form>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await post('/api/v1/me/password', { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={(e) => void save(e)}>
      <label htmlFor="password-current">Current password</label>
      <input id="password-current" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
      <label htmlFor="password-new">New password (12 characters or more)</label>
      <input id="password-new" type="password" autoComplete="new-password" required minLength={12} maxLength={256} value={next} onChange={(e) => setNext(e.target.value)} />
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="primary">
          Change password
        </button>
        <Saved show={saved} />
      </div>
      {saved && <p className="muted">Your other sessions were signed out.</p>}
    </form>
  );
}

function TokensSection() {
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => get<Page<ApiToken>>('/api/v1/tokens?limit=100').then((r) => setTokens(r.items), setError);
  useEffect(() => {
    void load();
  }, []);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const t = await post<ApiToken & { token: string }>('/api/v1/tokens', { name });
      setCreated({ name: t.name, token: t.token });
      setName('');
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (t: ApiToken) => {
    setError(null);
    try {
      await del(`/api/v1/tokens/${t.id}`);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <form onSubmit={(e) => void create(e)}>
        <label htmlFor="token-name">New token name</label>
        <input id="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        <div className="row composer-actions">
          <button type="submit" className="primary">
            Create token
          </button>
        </div>
      </form>
      {created && (
        <div className="notice" role="status">
          <p>
            Token “{created.name}” created. Copy it now: it is not shown again.
          </p>
          <code className="token-secret">{created.token}</code>
        </div>
      )}
      <ErrorMessage error={error} />
      {tokens.length === 0 ? (
        <p className="muted">No API tokens.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">My API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}</code>
                  </td>
                  <td>{t.lastUsedAt ? <Time at={t.lastUsedAt} /> : 'never'}</td>
                  <td>
                    {t.revokedAt ? (
                      'revoked'
                    ) : (
                      <button type="button" className="danger" onClick={() => void revoke(t)}>
                        Revoke<span className="visually-hidden"> {t.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** My profile, email preferences, password and API tokens. */
export function SettingsPage() {
  return (
    <>
      <PageTitle>Settings</PageTitle>
      <Section id="settings-profile" title="My profile">
        <ProfileForm />
      </Section>
      <Section id="settings-email" title="Email notifications">
        <EmailPreferencesForm />
      </Section>
      <Section id="settings-password" title="Change password">
        <PasswordForm />
      </Section>
      <Section id="settings-tokens" title="API tokens">
        <TokensSection />
      </Section>
    </>
  );
}
