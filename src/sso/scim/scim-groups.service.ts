import { Injectable } from '@nestjs/common';
import type { ScimGroupFilter } from '../../groups/group.repository.js';
import { GroupService, type ScimGroupChange, type ScimGroupView } from '../../groups/group.service.js';
import { parse } from 'scim2-parse-filter';
import { invalidPath, invalidValue, ScimError, ScimType } from './scim-error.js';
import { CONFLICT, parseEqualities } from './scim-filter.js';
import type { ScimContext } from './scim.guard.js';
import { isObject, patchOperations } from './scim-user-attributes.js';
import { SCIM_MAX_MEMBERS } from './scim-schemas.js';

const GROUP_FILTER_PATHS = ['displayname', 'externalid', 'id', 'members.value'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * SCIM Groups: private Chorus groups the IdP created, managed by it without an owner.
 * DELETE archives the group (its posts stay) and SCIM no longer sees it.
 */
@Injectable()
export class ScimGroupsService {
  constructor(private readonly groups: GroupService) {}

  async list(scim: ScimContext, filter: string | undefined, startIndex: number, count: number, withMembers: boolean) {
    const query = filter === undefined ? {} : groupQuery(filter);
    if (query === null) return { total: 0, groups: [] };
    return this.groups.listScim(scim.orgId, query, startIndex - 1, count, withMembers);
  }

  get(scim: ScimContext, id: string): Promise<ScimGroupView> {
    return this.groups.getScim(scim.orgId, id);
  }

  create(scim: ScimContext, body: Record<string, unknown>): Promise<ScimGroupView> {
    return this.groups.createScim(scim.orgId, scim.actor, {
      name: displayName(body.displayName),
      externalId: externalId(body.externalId) ?? null,
      memberIds: body.members === undefined ? [] : memberIds(body.members),
    });
  }

  /** PUT: the name, externalId and the whole member list as sent. */
  async replace(scim: ScimContext, id: string, body: Record<string, unknown>): Promise<ScimGroupView> {
    return this.groups.updateScim(scim.orgId, scim.actor, id, {
      name: displayName(body.displayName),
      externalId: externalId(body.externalId),
      replaceMembers: body.members === undefined ? [] : memberIds(body.members),
    });
  }

  /** PATCH as Okta and Entra ID send it: member adds and removes, renames, no-path value objects. */
  async patch(scim: ScimContext, id: string, body: Record<string, unknown>): Promise<ScimGroupView> {
    const change: Required<Pick<ScimGroupChange, 'addMembers' | 'removeMembers'>> & ScimGroupChange = { addMembers: [], removeMembers: [] };
    for (const { op, path, value } of patchOperations(body)) {
      if (path === undefined) {
        if (op === 'remove') throw new ScimError(400, ScimType.NoTarget, 'A remove operation needs a path');
        if (!isObject(value)) throw invalidValue('An operation without a path needs an object value');
        for (const [key, v] of Object.entries(value)) applyGroupAttribute(change, op, key, v);
      } else {
        applyGroupAttribute(change, op, path, value);
      }
    }
    if (change.addMembers.length + change.removeMembers.length > SCIM_MAX_MEMBERS) {
      throw new ScimError(400, ScimType.TooMany, `At most ${SCIM_MAX_MEMBERS} members per request`);
    }
    return this.groups.updateScim(scim.orgId, scim.actor, id, change);
  }

  async delete(scim: ScimContext, id: string): Promise<void> {
    await this.groups.deleteScim(scim.orgId, scim.actor, id);
  }
}

function applyGroupAttribute(change: ScimGroupChange & { addMembers: string[]; removeMembers: string[] }, op: string, rawPath: string, value: unknown): void {
  const path = rawPath.trim().replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/i, '');
  const lower = path.toLowerCase();
  if (lower === 'displayname') {
    if (op === 'remove') throw new ScimError(400, ScimType.Mutability, 'displayName is required');
    change.name = displayName(value);
  } else if (lower === 'externalid') {
    change.externalId = op === 'remove' ? null : externalId(value);
  } else if (lower === 'id') {
    return; // Okta repeats the id in no-path replace values; it cannot change.
  } else if (lower === 'members') {
    if (op === 'add') change.addMembers.push(...memberIds(value));
    else if (op === 'replace') change.replaceMembers = memberIds(value);
    else if (value === undefined) change.replaceMembers = [];
    else change.removeMembers.push(...memberIds(value));
  } else if (lower.startsWith('members[')) {
    if (op !== 'remove') throw invalidPath('A members[...] path is only for remove; add members with path "members"');
    change.removeMembers.push(memberFromPath(path));
  } else {
    throw invalidPath(`Unknown group attribute "${rawPath}"`);
  }
}

/** `members[value eq "…"]`, the path Entra ID and Okta use to remove one member. */
function memberFromPath(path: string): string {
  let ast: ReturnType<typeof parse>;
  try {
    ast = parse(path);
  } catch {
    throw invalidPath(`Cannot parse the path "${path}"`);
  }
  const vp = ast as { op: string; attrPath?: string; valFilter?: { op: string; attrPath?: string; compValue?: unknown } };
  const f = vp.valFilter;
  if (vp.op !== '[]' || vp.attrPath?.toLowerCase() !== 'members' || f?.op !== 'eq' || f.attrPath?.toLowerCase() !== 'value' || typeof f.compValue !== 'string') {
    throw invalidPath('Use the path members[value eq "<user id>"]');
  }
  return memberId(f.compValue);
}

function memberIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > SCIM_MAX_MEMBERS) throw new ScimError(400, ScimType.TooMany, `At most ${SCIM_MAX_MEMBERS} members per request`);
  return list.map((m) => {
    if (!isObject(m)) throw invalidValue('Each member is an object {"value": "<user id>"}');
    return memberId(m.value);
  });
}

function memberId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw invalidValue('A member value is the id of a user of this organisation');
  return value.toLowerCase();
}

function displayName(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.trim().length > 80) throw invalidValue('displayName must be a non-empty string of at most 80 characters');
  return value;
}

function externalId(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 512) throw invalidValue('externalId must be a string of at most 512 characters');
  return value;
}

function groupQuery(filter: string): ScimGroupFilter | null {
  const eq = parseEqualities(filter, GROUP_FILTER_PATHS);
  const id = eq.get('id');
  const member = eq.get('members.value');
  if ([...eq.values()].includes(CONFLICT) || (id !== undefined && !UUID.test(id)) || (member !== undefined && !UUID.test(member))) return null;
  return { displayName: eq.get('displayname'), externalId: eq.get('externalid'), id, memberId: member };
}
