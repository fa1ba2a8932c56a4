import type { ScimGroupView } from '../../groups/group.service.js';
import type { ScimUserRow } from '../../identity/user.repository.js';
import { SCIM } from './scim-schemas.js';

/** How Chorus users and groups look to an identity provider. `base` is `https://host/scim/v2`. */
export function userResource(u: ScimUserRow, base: string): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    schemas: [SCIM.User, SCIM.EnterpriseUser],
    id: u.id,
    userName: u.email,
    name: { formatted: u.displayName },
    displayName: u.displayName,
    active: u.status === 'active',
    emails: [{ value: u.email, type: 'work', primary: true }],
    meta: meta('User', u.createdAt, u.updatedAt, `${base}/Users/${u.id}`),
  };
  if (u.externalId !== null) resource.externalId = u.externalId;
  if (u.title !== null) resource.title = u.title;
  resource[SCIM.EnterpriseUser] = u.department !== null ? { department: u.department } : {};
  return resource;
}

export function groupResource(g: ScimGroupView, base: string, withMembers = true): Record<string, unknown> {
  const resource: Record<string, unknown> = {
    schemas: [SCIM.Group],
    id: g.id,
    displayName: g.name,
    meta: meta('Group', g.createdAt, g.updatedAt, `${base}/Groups/${g.id}`),
  };
  if (g.externalId !== null) resource.externalId = g.externalId;
  if (withMembers) {
    resource.members = g.members.map((m) => ({ value: m.userId, display: m.displayName, $ref: `${base}/Users/${m.userId}`, type: 'User' }));
  }
  return resource;
}

export function listResponse(resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [SCIM.ListResponse], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

function meta(resourceType: string, created: Date, lastModified: Date, location: string) {
  return { resourceType, created: created.toISOString(), lastModified: lastModified.toISOString(), location };
}
