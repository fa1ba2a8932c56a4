import { invalidSyntax, invalidValue, ScimError, ScimType } from './scim-error.js';
import { SCIM, SCIM_MAX_OPERATIONS } from './scim-schemas.js';

/** The SCIM user attributes Chorus keeps; everything else an IdP sends is accepted and ignored. */
export interface ScimUserAttributes {
  userName?: string;
  workEmail?: string;
  displayName?: string;
  formatted?: string;
  givenName?: string;
  familyName?: string;
  title?: string | null;
  department?: string | null;
  externalId?: string | null;
  active?: boolean;
}

const ENTERPRISE = SCIM.EnterpriseUser.toLowerCase();
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const WORK_EMAIL_PATHS = new Set(['emails[type eq "work"].value', 'emails[primary eq true].value', 'emails.value']);

/** Reads a whole resource (POST, PUT). */
export function attributesFromResource(body: Record<string, unknown>): ScimUserAttributes {
  const attrs: ScimUserAttributes = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'schemas' || key === 'id' || key === 'meta') continue;
    applyAttribute(attrs, key, value, 'replace');
  }
  return attrs;
}

/**
 * Applies PATCH operations as Okta and Entra ID send them: `op` in any case (`Replace`), a path
 * or a value object without one, value paths like `emails[type eq "work"].value`, extension
 * attributes by URN, and booleans as strings ("False").
 */
export function applyPatch(attrs: ScimUserAttributes, body: Record<string, unknown>): ScimUserAttributes {
  for (const { op, path, value } of patchOperations(body)) {
    if (path === undefined) {
      if (op === 'remove') throw new ScimError(400, ScimType.NoTarget, 'A remove operation needs a path');
      if (!isObject(value)) throw invalidValue('An operation without a path needs an object value');
      for (const [key, v] of Object.entries(value)) applyAttribute(attrs, key, v, op);
    } else {
      applyAttribute(attrs, path, op === 'remove' ? null : value, op);
    }
  }
  return attrs;
}

export type PatchOperation = { op: 'add' | 'replace' | 'remove'; path?: string; value?: unknown };

export function patchOperations(body: Record<string, unknown>): PatchOperation[] {
  const schemas = body.schemas;
  if (Array.isArray(schemas) && !schemas.includes(SCIM.PatchOp)) throw invalidSyntax(`A PATCH body has the schema ${SCIM.PatchOp}`);
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax('A PATCH body needs a non-empty "Operations" array');
  if (ops.length > SCIM_MAX_OPERATIONS) throw new ScimError(400, ScimType.TooMany, `At most ${SCIM_MAX_OPERATIONS} operations per request`);
  return ops.map((raw: unknown) => {
    if (!isObject(raw)) throw invalidSyntax('Each operation is an object');
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalidSyntax(`Unknown operation "${String(raw.op)}"; use add, replace or remove`);
    if (raw.path !== undefined && (typeof raw.path !== 'string' || raw.path.length === 0 || raw.path.length > 500)) {
      throw new ScimError(400, ScimType.InvalidPath, 'path must be a non-empty string');
    }
    return { op, path: raw.path as string | undefined, value: raw.value };
  });
}

function applyAttribute(attrs: ScimUserAttributes, rawPath: string, value: unknown, op: PatchOperation['op']): void {
  const path = rawPath.trim().replace(/\s+/g, ' ').replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/i, '').toLowerCase();
  switch (path) {
    case 'username':
      attrs.userName = requiredString(value, 'userName', 320);
      return;
    case 'displayname':
      attrs.displayName = requiredString(value, 'displayName', 200);
      return;
    case 'name':
      if (value === null) return;
      if (!isObject(value)) throw invalidValue('name must be an object');
      for (const [k, v] of Object.entries(value)) applyAttribute(attrs, `name.${k}`, v, op);
      return;
    case 'name.formatted':
      attrs.formatted = optionalString(value, 'name.formatted', 200) ?? undefined;
      return;
    case 'name.givenname':
      attrs.givenName = optionalString(value, 'name.givenName', 100) ?? undefined;
      return;
    case 'name.familyname':
      attrs.familyName = optionalString(value, 'name.familyName', 100) ?? undefined;
      return;
    case 'title':
      attrs.title = optionalString(value, 'title', 200);
      return;
    case 'externalid':
      attrs.externalId = optionalString(value, 'externalId', 512);
      return;
    case 'active':
      if (value === null) throw invalidValue('active cannot be removed');
      attrs.active = booleanValue(value, 'active');
      return;
    case 'emails':
      if (value === null) return;
      attrs.workEmail = workEmail(value);
      return;
    case ENTERPRISE:
      if (value === null) {
        attrs.department = null;
        return;
      }
      if (!isObject(value)) throw invalidValue(`${SCIM.EnterpriseUser} must be an object`);
      for (const [k, v] of Object.entries(value)) applyAttribute(attrs, `${SCIM.EnterpriseUser}:${k}`, v, op);
      return;
    case `${ENTERPRISE}:department`:
      attrs.department = optionalString(value, 'department', 200);
      return;
    default:
      if (WORK_EMAIL_PATHS.has(path)) {
        if (value !== null) attrs.workEmail = requiredString(value, 'emails.value', 320);
      }
  }
}

/** The work (else primary, else first) address of an `emails` array. */
function workEmail(value: unknown): string | undefined {
  const list = Array.isArray(value) ? value : [value];
  const entries = list.filter(isObject);
  const chosen = entries.find((e) => e.type === 'work') ?? entries.find((e) => booleanOrUndefined(e.primary) === true) ?? entries[0];
  return chosen === undefined ? undefined : requiredString(chosen.value, 'emails.value', 320);
}

/** Chorus's email for these attributes: userName when it is an address, else the work email. */
export function emailOf(attrs: ScimUserAttributes): string | undefined {
  if (attrs.userName !== undefined && EMAIL.test(attrs.userName)) return attrs.userName;
  if (attrs.workEmail !== undefined && EMAIL.test(attrs.workEmail)) return attrs.workEmail;
  if (attrs.userName !== undefined || attrs.workEmail !== undefined) throw invalidValue('userName (or the work email) must be an email address');
  return undefined;
}

/** displayName, else name.formatted, else "givenName familyName" when both are known. */
export function displayNameOf(attrs: ScimUserAttributes): string | undefined {
  const composed = attrs.givenName && attrs.familyName ? `${attrs.givenName} ${attrs.familyName}` : undefined;
  return attrs.displayName ?? attrs.formatted ?? composed;
}

function requiredString(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) throw invalidValue(`${name} must be a non-empty string of at most ${max} characters`);
  return value.trim();
}

function optionalString(value: unknown, name: string, max: number): string | null {
  if (value === null || value === undefined || value === '') return null;
  return requiredString(value, name, max);
}

function booleanOrUndefined(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

function booleanValue(value: unknown, name: string): boolean {
  const b = booleanOrUndefined(value);
  if (b === undefined) throw invalidValue(`${name} must be true or false`);
  return b;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
