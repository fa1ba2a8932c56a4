/** Pieces the SAML and OIDC settings forms share. */
import type { ReactNode } from 'react';
import { ROLES } from './directory';

export const MAPPING_FIELDS = ['email', 'displayName', 'handle', 'title', 'department', 'groups'] as const;
export type Mapping = Partial<Record<(typeof MAPPING_FIELDS)[number], string>>;
export type Role = 'member' | 'admin' | 'compliance';

const FIELD_LABELS: Record<(typeof MAPPING_FIELDS)[number], string> = {
  email: 'Email',
  displayName: 'Display name',
  handle: 'Handle',
  title: 'Job title',
  department: 'Department',
  groups: 'Groups',
};

export function Saved({ show }: { show: boolean }) {
  return show ? (
    <p className="notice" role="status">
      Saved.
    </p>
  ) : null;
}

export function Check({ checked, onChange, children, hint }: { checked: boolean; onChange: (v: boolean) => void; children: ReactNode; hint?: string }) {
  return (
    <div>
      <label className="inline">
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
        {children}
      </label>
      {hint && <p className="hint">{hint}</p>}
    </div>
  );
}

export function MappingFields({ prefix, legend, value, onChange }: { prefix: string; legend: string; value: Mapping; onChange: (m: Mapping) => void }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <p className="hint">The attribute (or claim) name the identity provider sends for each field; empty uses the default.</p>
      <div className="admin-grid">
        {MAPPING_FIELDS.map((f) => (
          <div key={f}>
            <label htmlFor={`${prefix}-map-${f}`}>{FIELD_LABELS[f]}</label>
            <input id={`${prefix}-map-${f}`} value={value[f] ?? ''} onChange={(e) => onChange({ ...value, [f]: e.target.value })} />
          </div>
        ))}
      </div>
    </fieldset>
  );
}

export const cleanMapping = (m: Mapping): Mapping => Object.fromEntries(Object.entries(m).filter(([, v]) => v && v.trim()).map(([k, v]) => [k, v!.trim()]));

export function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange: (r: Role) => void }) {
  return (
    <>
      <label htmlFor={id}>Role of people created at sign-in</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Role)}>
        {ROLES.map((r) => (
          <option key={r.value} value={r.value}>
            {r.label}
          </option>
        ))}
      </select>
    </>
  );
}
