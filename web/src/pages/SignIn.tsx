import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, setCsrfToken } from '../api';
import { ErrorMessage } from '../components/common';
import { useSession } from '../session';

interface SignInOptions {
  org: { slug: string; name: string } | null;
  saml: { loginUrl: string } | null;
  oidc: { loginUrl: string } | null;
  passwordForEveryone: boolean;
}

const REMEMBERED_ORG = 'chorus.org';

/**
 * Sign in: the organisation first (remembered), then "Sign in with your company" (SAML or OIDC,
 * when the org has it) and the local form. SSO returns here signed in.
 */
export function SignIn() {
  const { refresh } = useSession();
  const [org, setOrg] = useState(() => new URLSearchParams(location.search).get('org') ?? localStorage.getItem(REMEMBERED_ORG) ?? '');
  const [options, setOptions] = useState<SignInOptions | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · Chorus';
    const slug = org.trim().toLowerCase();
    if (!/^[a-z0-9-]{1,63}$/.test(slug)) {
      setOptions(null);
      return;
    }
    const timer = window.setTimeout(() => {
      void get<SignInOptions>(`/api/v1/auth/sign-in-options?org=${encodeURIComponent(slug)}`).then(setOptions, () => setOptions(null));
    }, 250);
    return () => window.clearTimeout(timer);
  }, [org]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const slug = org.trim().toLowerCase();
      const res = await post<{ csrfToken: string }>('/api/v1/auth/login', { org: slug, email: email.trim(), password });
      localStorage.setItem(REMEMBERED_ORG, slug);
      setCsrfToken(res.csrfToken);
      await refresh();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new ApiError({ status: 401, code: err.code, detail: 'The organisation, email or password is wrong.' }) : err);
    } finally {
      setBusy(false);
    }
  };

  const sso = options?.saml ?? options?.oidc ?? null;
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Chorus</h1>
      <div className="card">
        <label htmlFor="org">Organisation</label>
        <input id="org" name="org" autoComplete="organization" value={org} onChange={(e) => setOrg(e.target.value)} placeholder="acme" required />
        {options?.org && <p className="muted">{options.org.name}</p>}
        {sso && options?.org && (
          <p>
            <a className="button primary" href={`${sso.loginUrl}?${options.saml ? 'RelayState' : 'returnTo'}=${encodeURIComponent('/')}`}>
              Sign in with your company
            </a>
          </p>
        )}
        {options?.saml && options?.oidc && (
          <p className="muted">
            Or <a href={`${options.oidc.loginUrl}?returnTo=%2F`}>sign in with OpenID Connect</a>
          </p>
        )}
        <form onSubmit={submit} aria-describedby={options && !options.passwordForEveryone ? 'sso-required' : undefined}>
          {options && !options.passwordForEveryone && (
            <p id="sso-required" className="muted">
              Your organisation signs in with single sign-on; passwords are for break-glass accounts only.
            </p>
          )}
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <ErrorMessage error={error} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
