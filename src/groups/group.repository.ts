import { Injectable } from '@nestjs/common';
import { escapeLike } from '../common/sql.js';
import type { OrgTx } from '../tenancy/tenant-database.js';

export type GroupVisibility = 'public' | 'private';
export type MemberRole = 'owner' | 'member';

export interface GroupRow {
  id: string;
  name: string;
  description: string;
  visibility: GroupVisibility;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
  memberCount: number;
  myRole: MemberRole | null;
}

export interface MemberRow {
  userId: string;
  displayName: string;
  handle: string;
  role: MemberRole;
  joinedAt: Date;
}

export interface GroupListFilter {
  q?: string;
  mine?: boolean;
  includeArchived?: boolean;
  after?: [string, string];
}

export type GroupChanges = Partial<{ name: string; description: string; visibility: GroupVisibility; archived: boolean }>;

/** Selects a group with its member count and the viewer's role ($2 is the viewer). */
const GROUP_SELECT = `
  SELECT g.id, g.name, g.description, g.visibility, g.created_by AS "createdBy", g.created_at AS "createdAt",
         g.updated_at AS "updatedAt", g.archived_at AS "archivedAt",
         (SELECT count(*) FROM group_membership c WHERE c.org_id = g.org_id AND c.group_id = g.id) AS "memberCount",
         m.role AS "myRole"
  FROM org_group g
  LEFT JOIN group_membership m ON m.org_id = g.org_id AND m.group_id = g.id AND m.user_id = $2`;

@Injectable()
export class GroupRepository {
  async insert(tx: OrgTx, g: { name: string; description: string; visibility: GroupVisibility; createdBy: string | null }): Promise<string> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO org_group (org_id, name, description, visibility, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [tx.orgId, g.name, g.description, g.visibility, g.createdBy],
    );
    return rows[0].id;
  }

  async find(tx: OrgTx, id: string, viewerId: string, forUpdate = false): Promise<GroupRow | null> {
    if (forUpdate) await tx.query(`SELECT 1 FROM org_group WHERE org_id = $1 AND id = $2 FOR UPDATE`, [tx.orgId, id]);
    const rows = await tx.query<GroupRow>(`${GROUP_SELECT} WHERE g.org_id = $1 AND g.id = $3`, [tx.orgId, viewerId, id]);
    return rows[0] ?? null;
  }

  /** Public groups and the viewer's private ones (all groups for admins), by name. */
  async list(tx: OrgTx, viewerId: string, seeAll: boolean, f: GroupListFilter, limit: number): Promise<GroupRow[]> {
    return tx.query<GroupRow>(
      `${GROUP_SELECT}
       WHERE g.org_id = $1
         AND (g.visibility = 'public' OR m.user_id IS NOT NULL OR $3::boolean)
         AND (NOT $4::boolean OR m.user_id IS NOT NULL)
         AND ($5::boolean OR g.archived_at IS NULL)
         AND ($6::text IS NULL OR g.name ILIKE $6 OR g.description ILIKE $6)
         AND ($7::text IS NULL OR (lower(g.name), g.id) > ($7, $8::uuid))
       ORDER BY lower(g.name), g.id LIMIT $9`,
      [tx.orgId, viewerId, seeAll, f.mine ?? false, f.includeArchived ?? false, f.q ? `%${escapeLike(f.q)}%` : null,
        f.after?.[0] ?? null, f.after?.[1] ?? null, limit],
    );
  }

  async update(tx: OrgTx, id: string, c: GroupChanges): Promise<void> {
    await tx.query(
      `UPDATE org_group SET
         name = coalesce($3, name),
         description = coalesce($4, description),
         visibility = coalesce($5, visibility),
         archived_at = CASE WHEN $6::boolean IS NULL THEN archived_at WHEN $6 THEN coalesce(archived_at, now()) ELSE NULL END,
         updated_at = now()
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, c.name ?? null, c.description ?? null, c.visibility ?? null, c.archived ?? null],
    );
  }

  async membership(tx: OrgTx, groupId: string, userId: string): Promise<MemberRole | null> {
    const rows = await tx.query<{ role: MemberRole }>(
      `SELECT role FROM group_membership WHERE org_id = $1 AND group_id = $2 AND user_id = $3`,
      [tx.orgId, groupId, userId],
    );
    return rows[0]?.role ?? null;
  }

  async upsertMember(tx: OrgTx, groupId: string, userId: string, role: MemberRole): Promise<void> {
    await tx.query(
      `INSERT INTO group_membership (org_id, group_id, user_id, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, group_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
      [tx.orgId, groupId, userId, role],
    );
  }

  async removeMember(tx: OrgTx, groupId: string, userId: string): Promise<boolean> {
    const rows = await tx.query(
      `DELETE FROM group_membership WHERE org_id = $1 AND group_id = $2 AND user_id = $3 RETURNING user_id`,
      [tx.orgId, groupId, userId],
    );
    return rows.length > 0;
  }

  async countOwners(tx: OrgTx, groupId: string): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM group_membership WHERE org_id = $1 AND group_id = $2 AND role = 'owner'`,
      [tx.orgId, groupId],
    );
    return rows[0].n;
  }

  async findMember(tx: OrgTx, groupId: string, userId: string): Promise<MemberRow | null> {
    const rows = await tx.query<MemberRow>(
      `SELECT u.id AS "userId", u.display_name AS "displayName", u.handle, m.role, m.created_at AS "joinedAt"
       FROM group_membership m JOIN user_account u ON u.org_id = m.org_id AND u.id = m.user_id
       WHERE m.org_id = $1 AND m.group_id = $2 AND m.user_id = $3`,
      [tx.orgId, groupId, userId],
    );
    return rows[0] ?? null;
  }

  async listMembers(tx: OrgTx, groupId: string, after: [string, string] | null, limit: number): Promise<MemberRow[]> {
    return tx.query<MemberRow>(
      `SELECT u.id AS "userId", u.display_name AS "displayName", u.handle, m.role, m.created_at AS "joinedAt"
       FROM group_membership m JOIN user_account u ON u.org_id = m.org_id AND u.id = m.user_id
       WHERE m.org_id = $1 AND m.group_id = $2 AND ($3::text IS NULL OR (lower(u.display_name), u.id) > ($3, $4::uuid))
       ORDER BY lower(u.display_name), u.id LIMIT $5`,
      [tx.orgId, groupId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  // SCIM provisioning: groups the IdP created or linked (private, no owner), and their members.

  async insertScim(tx: OrgTx, g: { name: string; externalId: string | null }): Promise<string> {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO org_group (org_id, name, visibility, scim_external_id, scim_managed) VALUES ($1, $2, 'private', $3, true) RETURNING id`,
      [tx.orgId, g.name, g.externalId],
    );
    return rows[0].id;
  }

  /** A live (not archived) SCIM-managed group. */
  async findScim(tx: OrgTx, id: string, forUpdate = false): Promise<ScimGroupRow | null> {
    const rows = await tx.query<ScimGroupRow>(
      `SELECT ${SCIM_GROUP_COLUMNS} FROM org_group
       WHERE org_id = $1 AND id = $2 AND scim_managed AND archived_at IS NULL ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  async listScim(tx: OrgTx, f: ScimGroupFilter, offset: number, limit: number): Promise<{ total: number; rows: ScimGroupRow[] }> {
    const where = `org_id = $1 AND scim_managed AND archived_at IS NULL
      AND ($2::text IS NULL OR lower(name) = lower($2))
      AND ($3::text IS NULL OR scim_external_id = $3)
      AND ($4::uuid IS NULL OR id = $4)
      AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM group_membership m WHERE m.org_id = org_group.org_id AND m.group_id = org_group.id AND m.user_id = $5))`;
    const params = [tx.orgId, f.displayName ?? null, f.externalId ?? null, f.id ?? null, f.memberId ?? null];
    const count = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM org_group WHERE ${where}`, params);
    const rows = limit === 0 ? [] : await tx.query<ScimGroupRow>(
      `SELECT ${SCIM_GROUP_COLUMNS} FROM org_group WHERE ${where} ORDER BY created_at, id OFFSET $6 LIMIT $7`,
      [...params, offset, limit],
    );
    return { total: Number(count[0].n), rows };
  }

  async setScim(tx: OrgTx, id: string, c: { name?: string; externalId?: string | null }): Promise<void> {
    await tx.query(
      `UPDATE org_group SET name = coalesce($3, name), scim_external_id = CASE WHEN $4::boolean THEN $5 ELSE scim_external_id END, updated_at = now()
       WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id, c.name ?? null, c.externalId !== undefined, c.externalId ?? null],
    );
  }

  /** Members of these groups, at most `limit` per call (SCIM returns members inline). */
  async scimMembers(tx: OrgTx, groupIds: string[], limit: number): Promise<{ groupId: string; userId: string; displayName: string }[]> {
    if (groupIds.length === 0) return [];
    return tx.query(
      `SELECT m.group_id AS "groupId", u.id AS "userId", u.display_name AS "displayName"
       FROM group_membership m JOIN user_account u ON u.org_id = m.org_id AND u.id = m.user_id
       WHERE m.org_id = $1 AND m.group_id = ANY($2::uuid[]) ORDER BY m.group_id, m.created_at, u.id LIMIT $3`,
      [tx.orgId, groupIds, limit],
    );
  }

  // Group sync from SSO: Chorus groups linked to IdP group names (table sso_group_link).

  async listSsoLinks(tx: OrgTx): Promise<SsoGroupLinkRow[]> {
    return tx.query<SsoGroupLinkRow>(
      `SELECT l.group_id AS "groupId", g.name AS "groupName", l.idp_group AS "idpGroup", l.created_at AS "createdAt"
       FROM sso_group_link l JOIN org_group g ON g.org_id = l.org_id AND g.id = l.group_id
       WHERE l.org_id = $1 ORDER BY l.idp_group, lower(g.name), l.group_id`,
      [tx.orgId],
    );
  }

  /** Serialises link changes per org, so two admins replacing the list cannot interleave. */
  async lockSsoLinks(tx: OrgTx): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('sso-group-links:' || $1, 0))`, [tx.orgId]);
  }

  async insertSsoLink(tx: OrgTx, groupId: string, idpGroup: string): Promise<void> {
    await tx.query(`INSERT INTO sso_group_link (org_id, group_id, idp_group) VALUES ($1, $2, $3)`, [tx.orgId, groupId, idpGroup]);
  }

  async deleteSsoLink(tx: OrgTx, groupId: string, idpGroup: string): Promise<void> {
    await tx.query(`DELETE FROM sso_group_link WHERE org_id = $1 AND group_id = $2 AND idp_group = $3`, [tx.orgId, groupId, idpGroup]);
  }

  /** Ids of these groups that exist in this org (archived ones included). */
  async existingIds(tx: OrgTx, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<{ id: string }>(`SELECT id FROM org_group WHERE org_id = $1 AND id = ANY($2::uuid[])`, [tx.orgId, ids]);
    return rows.map((r) => r.id);
  }

  /**
   * Every live (not archived) linked group, whether the IdP names one of its links among
   * `idpGroups`, and the user's current role in it.
   */
  async ssoSyncTargets(tx: OrgTx, userId: string, idpGroups: string[]): Promise<{ groupId: string; wanted: boolean; role: MemberRole | null }[]> {
    return tx.query(
      `SELECT g.id AS "groupId", bool_or(l.idp_group = ANY($3::text[])) AS wanted, m.role
       FROM sso_group_link l
       JOIN org_group g ON g.org_id = l.org_id AND g.id = l.group_id AND g.archived_at IS NULL
       LEFT JOIN group_membership m ON m.org_id = g.org_id AND m.group_id = g.id AND m.user_id = $2
       WHERE l.org_id = $1
       GROUP BY g.id, m.role ORDER BY g.id`,
      [tx.orgId, userId, idpGroups],
    );
  }
}

export interface SsoGroupLinkRow {
  groupId: string;
  groupName: string;
  idpGroup: string;
  createdAt: Date;
}

export interface ScimGroupRow {
  id: string;
  name: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimGroupFilter {
  displayName?: string;
  externalId?: string;
  id?: string;
  memberId?: string;
}

const SCIM_GROUP_COLUMNS = `id, name, scim_external_id AS "externalId", created_at AS "createdAt", updated_at AS "updatedAt"`;
