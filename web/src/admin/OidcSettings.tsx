import { useState, type FormEvent } from 'react';
import { get, put } from '../api';
import { ErrorMessage, Loading, useAsync } from '../components/common';
import { Check, MappingFields, RoleSelect, Saved, cleanMapping, type Mapping, type Role } from './SsoFields';

interface OidcView {
  configured: boolean;
  config: { enabled: boolean; issuerUrl: string; clientId: string; clientSecretSet: boolean; scopes: string[]; claimMapping: Mapping; jit: boolean; defaultRole: Role } | null;
  relyingParty: { redirectUri: string; loginUrl: string };
}

/** PEM blocks as they are; otherwise one base64 certificate per paragraph. */
export function OidcSection() {
  const { data, error, loading, setData } = useAsync(() => get<OidcView>('/api/v1/admin/sso/oidc'), []);
  if (loading && !data) return <Loading />;
  if (!data) return <ErrorMessage error={error} />;
  return (
    <section className="card" aria-labelledby="oidc-heading">
      <h2 id="oidc-heading">OpenID Connect</h2>
      <dl className="settings">
        <dt>Redirect URI</dt>
        <dd>
          <code className="copyable">{data.relyingParty.redirectUri}</code>
        </dd>
        <dt>Sign-in URL</dt>
        <dd>
          <code className="copyable">{data.relyingParty.loginUrl}</code>
        </dd>
      </dl>
      <OidcForm key={JSON.stringify(data.config)} view={data} onSaved={setData} />
    </section>
  );
}

function OidcForm({ view, onSaved }: { view: OidcView; onSaved: (v: OidcView) => void }) {
  const c = view.config;
  const [form, setForm] = useState({
    enabled: c?.enabled ?? false,
    issuerUrl: c?.issuerUrl ?? '',
    clientId: c?.clientId ?? '',
    clientSecret: '',
    removeSecret: false,
    scopes: (c?.scopes ?? ['openid', 'email', 'profile']).join(' '),
    claimMapping: c?.claimMapping ?? {},
    jit: c?.jit ?? true,
    defaultRole: c?.defaultRole ?? ('member' as Role),
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const body: Record<string, unknown> = {
        enabled: form.enabled,
        issuerUrl: form.issuerUrl.trim(),
        clientId: form.clientId.trim(),
        scopes: form.scopes.split(/\s+/).filter(Boolean),
        claimMapping: cleanMapping(form.claimMapping),
        jit: form.jit,
        defaultRole: form.defaultRole,
      };
      // Write-only: omitted keeps the stored secret, null removes it.
      if (form.removeSecret) body.clientSecret = null;
      else if (form.clientSecret) body.clientSecret = form.clientSecret;
      onSaved(await put<OidcView>('/api/v1/admin/sso/oidc', body));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form className="admin-form" onSubmit={(e) => void submit(e)}>
      <h3>OIDC settings</h3>
      <Check checked={form.enabled} onChange={(v) => set('enabled', v)}>
        OIDC sign-in enabled
      </Check>
      <div className="admin-grid">
        <div>
          <label htmlFor="oidc-issuer">Issuer URL</label>
          <input id="oidc-issuer" type="url" required value={form.issuerUrl} onChange={(e) => set('issuerUrl', e.target.value)} />
        </div>
        <div>
          <label htmlFor="oidc-client">Client ID</label>
          <input id="oidc-client" required value={form.clientId} onChange={(e) => set('clientId', e.target.value)} />
        </div>
        <div>
          <label htmlFor="oidc-secret">Client secret</label>
          <input
            id="oidc-secret"
            type="password"
            autoComplete="off"
            value={form.clientSecret}
            disabled={form.removeSecret}
            onChange={(e) => set('clientSecret', e.target.value)}
            aria-describedby="oidc-secret-hint"
          />
          <p id="oidc-secret-hint" className="hint">
            {c?.clientSecretSet ? 'A secret is stored (never shown). Leave empty to keep it.' : 'No secret stored (a public client).'}
          </p>
        </div>
        <div>
          <label htmlFor="oidc-scopes">Scopes</label>
          <input id="oidc-scopes" value={form.scopes} onChange={(e) => set('scopes', e.target.value)} />
        </div>
      </div>
      {c?.clientSecretSet && (
        <Check checked={form.removeSecret} onChange={(v) => set('removeSecret', v)}>
          Remove the stored client secret
        </Check>
      )}
      <MappingFields prefix="oidc" legend="Claim mapping" value={form.claimMapping} onChange={(m) => set('claimMapping', m)} />
      <Check checked={form.jit} onChange={(v) => set('jit', v)} hint="Create an account the first time someone signs in.">
        Just-in-time accounts
      </Check>
      <RoleSelect id="oidc-role" value={form.defaultRole} onChange={(r) => set('defaultRole', r)} />
      <ErrorMessage error={error} />
      <Saved show={saved} />
      <div className="actions">
        <button type="submit" className="primary">
          Save OIDC settings
        </button>
      </div>
    </form>
  );
}
