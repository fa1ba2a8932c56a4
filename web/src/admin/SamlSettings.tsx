import { useState, type FormEvent } from 'react';
import { get, post, put } from '../api';
import { ErrorMessage, Loading, useAsync } from '../components/common';
import { Check, MappingFields, RoleSelect, Saved, cleanMapping, type Mapping, type Role } from './SsoFields';

interface SamlConfig {
  enabled: boolean;
  idpEntityId: string;
  idpSsoUrl: string;
  idpSloUrl: string | null;
  idpCerts: string[];
  spEntityId: string | null;
  attributeMapping: Mapping;
  jit: boolean;
  defaultRole: Role;
  ssoRequired: boolean;
  allowIdpInitiated: boolean;
}
interface SamlView {
  configured: boolean;
  config: SamlConfig | null;
  serviceProvider: { entityId: string; acsUrl: string; metadataUrl: string; loginUrl: string; sloUrl: string; logoutUrl: string };
}

/** PEM blocks as they are; otherwise one base64 certificate per paragraph. */
function splitCerts(text: string): string[] {
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (pems) return pems;
  return text
    .split(/\n\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function SamlSection() {
  const { data, error, loading, setData } = useAsync(() => get<SamlView>('/api/v1/admin/sso/saml'), []);
  if (loading && !data) return <Loading />;
  if (!data) return <ErrorMessage error={error} />;
  const sp = data.serviceProvider;
  return (
    <section className="card" aria-labelledby="saml-heading">
      <h2 id="saml-heading">SAML</h2>
      <h3>Enter these at your identity provider</h3>
      <dl className="settings">
        <dt>Entity ID</dt>
        <dd>
          <code className="copyable">{data.config?.spEntityId || sp.entityId}</code>
        </dd>
        <dt>ACS URL</dt>
        <dd>
          <code className="copyable">{sp.acsUrl}</code>
        </dd>
        <dt>Single logout URL</dt>
        <dd>
          <code className="copyable">{sp.sloUrl}</code>
        </dd>
        <dt>Sign-on URL</dt>
        <dd>
          <code className="copyable">{sp.loginUrl}</code>
        </dd>
        <dt>SP metadata</dt>
        <dd>
          <a href={sp.metadataUrl}>
            <code>{sp.metadataUrl}</code>
          </a>
        </dd>
      </dl>
      <MetadataImport onImported={setData} />
      <SamlForm key={JSON.stringify(data.config)} view={data} onSaved={setData} />
    </section>
  );
}

function MetadataImport({ onImported }: { onImported: (v: SamlView) => void }) {
  const [xml, setXml] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      onImported(await post<SamlView>('/api/v1/admin/sso/saml/metadata', { metadataXml: xml }));
      setXml('');
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="admin-form" onSubmit={(e) => void submit(e)}>
      <h3>Import IdP metadata</h3>
      <label htmlFor="saml-metadata">IdP metadata XML</label>
      <textarea id="saml-metadata" className="mono" rows={5} required value={xml} onChange={(e) => setXml(e.target.value)} />
      <p className="hint">Sets the IdP entity ID, sign-on and logout URLs and signing certificates; other settings stay. A new configuration starts disabled.</p>
      <ErrorMessage error={error} />
      {done && (
        <p className="notice" role="status">
          Metadata imported.
        </p>
      )}
      <div className="actions">
        <button type="submit">Import metadata</button>
      </div>
    </form>
  );
}

function SamlForm({ view, onSaved }: { view: SamlView; onSaved: (v: SamlView) => void }) {
  const c = view.config;
  const [form, setForm] = useState({
    enabled: c?.enabled ?? false,
    idpEntityId: c?.idpEntityId ?? '',
    idpSsoUrl: c?.idpSsoUrl ?? '',
    idpSloUrl: c?.idpSloUrl ?? '',
    idpCerts: (c?.idpCerts ?? []).join('\n\n'),
    spEntityId: c?.spEntityId ?? '',
    attributeMapping: c?.attributeMapping ?? {},
    jit: c?.jit ?? true,
    defaultRole: c?.defaultRole ?? ('member' as Role),
    ssoRequired: c?.ssoRequired ?? false,
    allowIdpInitiated: c?.allowIdpInitiated ?? false,
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      const next = await put<SamlView>('/api/v1/admin/sso/saml', {
        enabled: form.enabled,
        idpEntityId: form.idpEntityId.trim(),
        idpSsoUrl: form.idpSsoUrl.trim(),
        idpSloUrl: form.idpSloUrl.trim() || null,
        idpCerts: splitCerts(form.idpCerts),
        spEntityId: form.spEntityId.trim() || null,
        attributeMapping: cleanMapping(form.attributeMapping),
        jit: form.jit,
        defaultRole: form.defaultRole,
        ssoRequired: form.ssoRequired,
        allowIdpInitiated: form.allowIdpInitiated,
      });
      setSaved(true);
      onSaved(next);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form className="admin-form" onSubmit={(e) => void submit(e)}>
      <h3>SAML settings</h3>
      <Check checked={form.enabled} onChange={(v) => set('enabled', v)}>
        SAML sign-in enabled
      </Check>
      <div className="admin-grid">
        <div>
          <label htmlFor="saml-idp-entity">IdP entity ID</label>
          <input id="saml-idp-entity" required value={form.idpEntityId} onChange={(e) => set('idpEntityId', e.target.value)} />
        </div>
        <div>
          <label htmlFor="saml-sso-url">IdP sign-on URL</label>
          <input id="saml-sso-url" type="url" required value={form.idpSsoUrl} onChange={(e) => set('idpSsoUrl', e.target.value)} />
        </div>
        <div>
          <label htmlFor="saml-slo-url">IdP logout URL (optional)</label>
          <input id="saml-slo-url" type="url" value={form.idpSloUrl} onChange={(e) => set('idpSloUrl', e.target.value)} />
        </div>
        <div>
          <label htmlFor="saml-sp-entity">Our entity ID override (optional)</label>
          <input id="saml-sp-entity" value={form.spEntityId} onChange={(e) => set('spEntityId', e.target.value)} />
        </div>
      </div>
      <label htmlFor="saml-certs">IdP signing certificates</label>
      <textarea id="saml-certs" className="mono" rows={6} required value={form.idpCerts} onChange={(e) => set('idpCerts', e.target.value)} aria-describedby="saml-certs-hint" />
      <p id="saml-certs-hint" className="hint">
        PEM, or base64 separated by a blank line; 1 to 10. To rotate, list the old and new together, then remove the old one.
      </p>
      <MappingFields prefix="saml" legend="Attribute mapping" value={form.attributeMapping} onChange={(m) => set('attributeMapping', m)} />
      <Check checked={form.jit} onChange={(v) => set('jit', v)} hint="Create an account the first time someone signs in.">
        Just-in-time accounts
      </Check>
      <RoleSelect id="saml-role" value={form.defaultRole} onChange={(r) => set('defaultRole', r)} />
      <Check checked={form.allowIdpInitiated} onChange={(v) => set('allowIdpInitiated', v)}>
        Allow IdP-initiated sign-in
      </Check>
      <Check checked={form.ssoRequired} onChange={(v) => set('ssoRequired', v)} hint="Password sign-in is refused except for break-glass admins. Test a sign-in first.">
        Require SSO
      </Check>
      <ErrorMessage error={error} />
      <Saved show={saved} />
      <div className="actions">
        <button type="submit" className="primary">
          Save SAML settings
        </button>
      </div>
    </form>
  );
}
