import { Injectable } from '@nestjs/common';
import type { ScimUserFilter, ScimUserRow, UserChanges } from '../../identity/user.repository.js';
import { UserService } from '../../identity/user.service.js';
import { invalidValue } from './scim-error.js';
import { CONFLICT, parseEqualities } from './scim-filter.js';
import type { ScimContext } from './scim.guard.js';
import { applyPatch, attributesFromResource, displayNameOf, emailOf, type ScimUserAttributes } from './scim-user-attributes.js';

const USER_FILTER_PATHS = ['username', 'externalid', 'id', 'emails.value', 'emails.type'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * SCIM Users on top of UserService: every change goes through its rules and audit (actor type
 * `scim`). `active: false` deactivates (sessions and API tokens end, content stays);
 * DELETE deactivates too and then hides the user from SCIM (404), keeping the account.
 */
@Injectable()
export class ScimUsersService {
  constructor(private readonly users: UserService) {}

  async list(scim: ScimContext, filter: string | undefined, startIndex: number, count: number): Promise<{ total: number; rows: ScimUserRow[] }> {
    const query = filter === undefined ? {} : userQuery(filter);
    if (query === null) return { total: 0, rows: [] };
    return this.users.listScim(scim.orgId, query, startIndex - 1, count);
  }

  get(scim: ScimContext, id: string): Promise<ScimUserRow> {
    return this.users.getScim(scim.orgId, id);
  }

  async create(scim: ScimContext, body: Record<string, unknown>): Promise<ScimUserRow> {
    const attrs = attributesFromResource(body);
    const email = emailOf(attrs);
    if (email === undefined) throw invalidValue('userName is required');
    const user = await this.users.createScim(
      scim.orgId,
      scim.actor,
      { email, displayName: displayNameOf(attrs) ?? email.split('@')[0], title: attrs.title ?? null, department: attrs.department ?? null, role: 'member' },
      attrs.externalId ?? null,
    );
    if (attrs.active === false) await this.users.update(scim.orgId, scim.actor, user.id, { status: 'deactivated' });
    return this.users.getScim(scim.orgId, user.id);
  }

  /** PUT: the resource as sent; title and department absent mean cleared. */
  async replace(scim: ScimContext, id: string, body: Record<string, unknown>): Promise<ScimUserRow> {
    const current = await this.users.getScim(scim.orgId, id);
    const attrs = attributesFromResource(body);
    return this.apply(scim, current, { title: null, department: null, ...attrs });
  }

  async patch(scim: ScimContext, id: string, body: Record<string, unknown>): Promise<ScimUserRow> {
    const current = await this.users.getScim(scim.orgId, id);
    return this.apply(scim, current, applyPatch({}, body));
  }

  async delete(scim: ScimContext, id: string): Promise<void> {
    await this.users.deleteScim(scim.orgId, scim.actor, id);
  }

  private async apply(scim: ScimContext, current: ScimUserRow, attrs: ScimUserAttributes): Promise<ScimUserRow> {
    const changes: UserChanges = {
      email: emailOf(attrs),
      displayName: displayNameOf(attrs),
      title: attrs.title,
      department: attrs.department,
      status: attrs.active === undefined ? undefined : attrs.active ? 'active' : 'deactivated',
    };
    await this.users.update(scim.orgId, scim.actor, current.id, changes);
    if (attrs.externalId !== undefined) await this.users.setScimExternalId(scim.orgId, scim.actor, current.id, attrs.externalId);
    return this.users.getScim(scim.orgId, current.id);
  }
}

/** A filter as repository constraints, or null when it can match nobody. */
function userQuery(filter: string): ScimUserFilter | null {
  const eq = parseEqualities(filter, USER_FILTER_PATHS);
  const type = eq.get('emails.type');
  if (type !== undefined && type.toLowerCase() !== 'work') return null;
  const userName = eq.get('username');
  const email = eq.get('emails.value');
  if (userName !== undefined && email !== undefined && userName.toLowerCase() !== email.toLowerCase()) return null;
  const id = eq.get('id');
  if ([userName, email, id, eq.get('externalid')].includes(CONFLICT) || (id !== undefined && !UUID.test(id))) return null;
  return { email: userName ?? email, externalId: eq.get('externalid'), id };
}
