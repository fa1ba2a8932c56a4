import { Injectable } from '@nestjs/common';
import { AuditAction, AuditService } from '../audit/audit.service.js';
import { decodeCursor, toPage, type Page } from '../common/cursor.js';
import { conflict, DomainError, forbidden, isUniqueViolation, notFound } from '../common/domain-error.js';
import type { AuthContext } from '../identity/auth-context.js';
import { UserService } from '../identity/user.service.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import type { Actor } from '../common/actor.js';
import { GroupRepository, type GroupChanges, type ScimGroupFilter, type ScimGroupRow, type GroupListFilter, type GroupRow, type GroupVisibility, type MemberRole, type MemberRow, type SsoGroupLinkRow } from './group.repository.js';

export type GroupView = GroupRow;

/**
 * Groups: public ones anyone in the org can see and join; private ones are invisible (404) to
 * non-members except admins. Owners and admins manage members; a group keeps at least one owner.
 */
@Injectable()
export class GroupService {
  constructor(
    private readonly groups: GroupRepository,
    private readonly users: UserService,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
  ) {}

  async create(auth: AuthContext, input: { name: string; description?: string; visibility?: GroupVisibility }): Promise<GroupView> {
    try {
      return await this.db.withOrg(auth.orgId, async (tx) => {
        const id = await this.groups.insert(tx, {
          name: input.name.trim(),
          description: input.description?.trim() ?? '',
          visibility: input.visibility ?? 'public',
          createdBy: auth.userId,
        });
        await this.groups.upsertMember(tx, id, auth.userId, 'owner');
        await this.audit.record(tx, auth.actor, {
          action: AuditAction.GroupCreated,
          target: { type: 'group', id },
          data: { name: input.name, visibility: input.visibility ?? 'public' },
        });
        return (await this.groups.find(tx, id, auth.userId))!;
      });
    } catch (error) {
      throw nameConflict(error);
    }
  }

  async get(auth: AuthContext, id: string): Promise<GroupView> {
    return this.db.withOrg(auth.orgId, (tx) => this.visible(tx, auth, id));
  }

  async list(auth: AuthContext, filter: Omit<GroupListFilter, 'after'>, limit: number, cursor?: string): Promise<Page<GroupView>> {
    const key = decodeCursor(cursor, 2);
    const rows = await this.db.withOrg(auth.orgId, (tx) =>
      this.groups.list(tx, auth.userId, auth.role === 'admin', { ...filter, after: key ? [String(key[0]), String(key[1])] : undefined }, limit + 1),
    );
    return toPage(rows, limit, (g) => [g.name.toLowerCase(), g.id], (g) => g);
  }

  async update(auth: AuthContext, id: string, changes: GroupChanges): Promise<GroupView> {
    try {
      return await this.db.withOrg(auth.orgId, async (tx) => {
        const group = await this.visible(tx, auth, id, true);
        this.requireManager(auth, group);
        const { archived, ...sent } = changes;
        const fields = Object.fromEntries(Object.entries(sent).filter(([k, v]) => v !== undefined && group[k as keyof GroupRow] !== v));
        if (group.archivedAt && Object.keys(fields).length > 0 && archived !== false) {
          throw conflict('group_archived', 'The group is archived; restore it before changing it');
        }
        await this.groups.update(tx, id, changes);
        const target = { type: 'group', id };
        if (Object.keys(fields).length > 0) {
          const diff = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { from: group[k as keyof GroupRow], to: v }]));
          await this.audit.record(tx, auth.actor, { action: AuditAction.GroupUpdated, target, data: { changes: diff } });
        }
        if (archived === true && !group.archivedAt) await this.audit.record(tx, auth.actor, { action: AuditAction.GroupArchived, target });
        if (archived === false && group.archivedAt) await this.audit.record(tx, auth.actor, { action: AuditAction.GroupUnarchived, target });
        return (await this.groups.find(tx, id, auth.userId))!;
      });
    } catch (error) {
      throw nameConflict(error);
    }
  }

  async join(auth: AuthContext, id: string): Promise<GroupView> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const group = await this.visible(tx, auth, id, true);
      this.requireOpen(group);
      if (group.myRole) return group;
      if (group.visibility === 'private') throw forbidden('Private groups are joined by invitation from an owner');
      await this.groups.upsertMember(tx, id, auth.userId, 'member');
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.GroupMemberAdded,
        target: { type: 'group', id },
        data: { userId: auth.userId, role: 'member', via: 'join' },
      });
      return (await this.groups.find(tx, id, auth.userId))!;
    });
  }

  async leave(auth: AuthContext, id: string): Promise<void> {
    await this.removeMember(auth, id, auth.userId);
  }

  /** Adds a member or changes their role (owners and admins). */
  async addMember(auth: AuthContext, id: string, userId: string, role: MemberRole): Promise<MemberRow> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const group = await this.visible(tx, auth, id, true);
      this.requireManager(auth, group);
      this.requireOpen(group);
      await this.users.requireActive(tx, userId);
      const current = await this.groups.membership(tx, id, userId);
      if (current === role) return (await this.groups.findMember(tx, id, userId))!;
      if (current === 'owner' && (await this.groups.countOwners(tx, id)) <= 1) {
        throw conflict('group_last_owner', 'A group must keep at least one owner');
      }
      await this.groups.upsertMember(tx, id, userId, role);
      await this.audit.record(tx, auth.actor, {
        action: current ? AuditAction.GroupMemberRoleChanged : AuditAction.GroupMemberAdded,
        target: { type: 'group', id },
        data: current ? { userId, from: current, to: role } : { userId, role },
      });
      return (await this.groups.findMember(tx, id, userId))!;
    });
  }

  /** Owners and admins remove anyone; everyone may remove themselves (leave). */
  async removeMember(auth: AuthContext, id: string, userId: string): Promise<void> {
    await this.db.withOrg(auth.orgId, async (tx) => {
      const group = await this.visible(tx, auth, id, true);
      if (userId !== auth.userId) this.requireManager(auth, group);
      const current = await this.groups.membership(tx, id, userId);
      if (!current) return;
      if (current === 'owner' && (await this.groups.countOwners(tx, id)) <= 1) {
        throw conflict('group_last_owner', 'A group must keep at least one owner; make someone else owner first');
      }
      await this.groups.removeMember(tx, id, userId);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.GroupMemberRemoved,
        target: { type: 'group', id },
        data: { userId, role: current, via: userId === auth.userId ? 'leave' : 'removed' },
      });
    });
  }

  async members(auth: AuthContext, id: string, limit: number, cursor?: string): Promise<Page<MemberRow>> {
    const key = decodeCursor(cursor, 2);
    const rows = await this.db.withOrg(auth.orgId, async (tx) => {
      await this.visible(tx, auth, id);
      return this.groups.listMembers(tx, id, key ? [String(key[0]), String(key[1])] : null, limit + 1);
    });
    return toPage(rows, limit, (m) => [m.displayName.toLowerCase(), m.userId], (m) => m);
  }

  /** For posting and reading a group's posts inside the caller's transaction: 404 unless visible. */
  async visibleInTx(tx: OrgTx, auth: Pick<AuthContext, 'userId' | 'role'>, id: string): Promise<GroupRow> {
    const group = await this.groups.find(tx, id, auth.userId);
    if (!group || (group.visibility === 'private' && !group.myRole)) throw notFound('Group');
    return group;
  }

  private async visible(tx: OrgTx, auth: AuthContext, id: string, forUpdate = false): Promise<GroupRow> {
    const group = await this.groups.find(tx, id, auth.userId, forUpdate);
    if (!group || (group.visibility === 'private' && !group.myRole && auth.role !== 'admin')) throw notFound('Group');
    return group;
  }

  private requireManager(auth: AuthContext, group: GroupRow): void {
    if (group.myRole !== 'owner' && auth.role !== 'admin') throw forbidden('Only group owners and admins can do this');
  }

  private requireOpen(group: GroupRow): void {
    if (group.archivedAt) throw conflict('group_archived', 'The group is archived');
  }
  // SCIM provisioning: the IdP manages private groups it created, as itself (no owner needed);
  // members must be users of this org, and an archived (deleted) group is gone to SCIM.

  async createScim(orgId: string, actor: Actor, input: { name: string; externalId: string | null; memberIds: string[] }): Promise<ScimGroupView> {
    try {
      return await this.db.withOrg(orgId, async (tx) => {
        const id = await this.groups.insertScim(tx, { name: input.name.trim(), externalId: input.externalId });
        await this.audit.record(tx, actor, {
          action: AuditAction.GroupCreated,
          target: { type: 'group', id },
          data: { name: input.name, visibility: 'private', externalId: input.externalId },
        });
        await this.addScimMembers(tx, actor, id, input.memberIds);
        return this.scimViewInTx(tx, id);
      });
    } catch (error) {
      throw scimGroupConflict(error);
    }
  }

  async getScim(orgId: string, id: string): Promise<ScimGroupView> {
    return this.db.withOrg(orgId, (tx) => this.scimViewInTx(tx, id));
  }

  async listScim(orgId: string, filter: ScimGroupFilter, offset: number, limit: number, withMembers: boolean): Promise<{ total: number; groups: ScimGroupView[] }> {
    return this.db.withOrg(orgId, async (tx) => {
      const { total, rows } = await this.groups.listScim(tx, filter, offset, limit);
      const members = withMembers ? await this.groups.scimMembers(tx, rows.map((g) => g.id), SCIM_MEMBERS_MAX * Math.max(rows.length, 1)) : [];
      return {
        total,
        groups: rows.map((g) => ({ ...g, members: members.filter((m) => m.groupId === g.id).map(({ userId, displayName }) => ({ userId, displayName })) })),
      };
    });
  }

  /** Renames, relinks and changes members in one transaction; `replaceMembers` sets the whole list. */
  async updateScim(orgId: string, actor: Actor, id: string, change: ScimGroupChange): Promise<ScimGroupView> {
    try {
      return await this.db.withOrg(orgId, async (tx) => {
        const group = await this.groups.findScim(tx, id, true);
        if (!group) throw notFound('Group');
        const name = change.name?.trim();
        const renamed = name !== undefined && name !== group.name;
        const relinked = change.externalId !== undefined && change.externalId !== group.externalId;
        if (renamed || relinked) {
          await this.groups.setScim(tx, id, { name: renamed ? name : undefined, externalId: relinked ? change.externalId : undefined });
          const diff: Record<string, unknown> = {};
          if (renamed) diff.name = { from: group.name, to: name };
          if (relinked) diff.externalId = { from: group.externalId, to: change.externalId };
          await this.audit.record(tx, actor, { action: AuditAction.GroupUpdated, target: { type: 'group', id }, data: { changes: diff } });
        }
        let remove = change.removeMembers ?? [];
        let add = change.addMembers ?? [];
        if (change.replaceMembers !== undefined) {
          const wanted = new Set(change.replaceMembers);
          const current = (await this.groups.scimMembers(tx, [id], SCIM_MEMBERS_MAX)).map((m) => m.userId);
          remove = [...remove, ...current.filter((u) => !wanted.has(u))];
          add = [...add, ...wanted];
        }
        for (const userId of new Set(remove)) {
          const role = await this.groups.membership(tx, id, userId);
          if (!role) continue;
          await this.groups.removeMember(tx, id, userId);
          await this.audit.record(tx, actor, { action: AuditAction.GroupMemberRemoved, target: { type: 'group', id }, data: { userId, role, via: 'scim' } });
        }
        await this.addScimMembers(tx, actor, id, add);
        return this.scimViewInTx(tx, id);
      });
    } catch (error) {
      throw scimGroupConflict(error);
    }
  }

  /** The IdP deleted the group: archive it (posts stay), so SCIM no longer sees it. */
  async deleteScim(orgId: string, actor: Actor, id: string): Promise<void> {
    await this.db.withOrg(orgId, async (tx) => {
      const group = await this.groups.findScim(tx, id, true);
      if (!group) throw notFound('Group');
      await this.groups.update(tx, id, { archived: true });
      await this.audit.record(tx, actor, { action: AuditAction.GroupArchived, target: { type: 'group', id }, data: { via: 'scim' } });
    });
  }

  private async addScimMembers(tx: OrgTx, actor: Actor, id: string, userIds: string[]): Promise<void> {
    for (const userId of new Set(userIds)) {
      await this.users.requireExists(tx, userId);
      if (await this.groups.membership(tx, id, userId)) continue;
      await this.groups.upsertMember(tx, id, userId, 'member');
      await this.audit.record(tx, actor, { action: AuditAction.GroupMemberAdded, target: { type: 'group', id }, data: { userId, role: 'member', via: 'scim' } });
    }
  }

  private async scimViewInTx(tx: OrgTx, id: string): Promise<ScimGroupView> {
    const group = await this.groups.findScim(tx, id);
    if (!group) throw notFound('Group');
    const members = await this.groups.scimMembers(tx, [id], SCIM_MEMBERS_MAX);
    return { ...group, members: members.map(({ userId, displayName }) => ({ userId, displayName })) };
  }

  // Group sync from single sign-on (SAML now, OIDC later): admins link groups to IdP group
  // names; each sign-in then adds the user to linked groups the IdP lists and removes them
  // from linked groups it no longer lists. Unlinked groups are never touched.

  async listSsoLinks(orgId: string): Promise<SsoGroupLinkRow[]> {
    return this.db.withOrg(orgId, (tx) => this.groups.listSsoLinks(tx));
  }

  /** Replaces every link of the org; audited with what was added and removed. */
  async replaceSsoLinks(orgId: string, actor: Actor, links: { groupId: string; idpGroup: string }[]): Promise<SsoGroupLinkRow[]> {
    return this.db.withOrg(orgId, async (tx) => {
      await this.groups.lockSsoLinks(tx);
      const key = (l: { groupId: string; idpGroup: string }) => `${l.groupId}\n${l.idpGroup}`;
      const wanted = new Map(links.map((l) => ({ groupId: l.groupId.toLowerCase(), idpGroup: l.idpGroup })).map((l) => [key(l), l]));
      const groupIds = [...new Set([...wanted.values()].map((l) => l.groupId))];
      const found = new Set(await this.groups.existingIds(tx, groupIds));
      const missing = groupIds.filter((id) => !found.has(id));
      if (missing.length > 0) throw new DomainError(404, 'not_found', `Group not found: ${missing.join(', ')}`);
      const current = await this.groups.listSsoLinks(tx);
      const currentKeys = new Set(current.map(key));
      const removed = current.filter((l) => !wanted.has(key(l)));
      const added = [...wanted.values()].filter((l) => !currentKeys.has(key(l)));
      for (const l of removed) await this.groups.deleteSsoLink(tx, l.groupId, l.idpGroup);
      for (const l of added) await this.groups.insertSsoLink(tx, l.groupId, l.idpGroup);
      if (removed.length > 0 || added.length > 0) {
        await this.audit.record(tx, actor, {
          action: AuditAction.SsoGroupLinksUpdated,
          target: { type: 'org', id: orgId },
          data: { added, removed: removed.map(({ groupId, idpGroup }) => ({ groupId, idpGroup })) },
        });
      }
      return this.groups.listSsoLinks(tx);
    });
  }

  /** For SSO sign-ins (SAML, OIDC): `syncSsoMemberships` in a transaction of its own. */
  async syncSsoGroups(orgId: string, actor: Actor, userId: string, idpGroups: string[]): Promise<{ added: string[]; removed: string[] }> {
    return this.db.withOrg(orgId, (tx) => this.syncSsoMemberships(tx, actor, userId, idpGroups));
  }

  /**
   * Brings the user's membership of linked groups in line with the IdP's group names, inside
   * the caller's transaction. Archived groups are left alone, and a group's last owner is
   * never removed. Returns the group ids joined and left.
   */
  async syncSsoMemberships(tx: OrgTx, actor: Actor, userId: string, idpGroups: string[]): Promise<{ added: string[]; removed: string[] }> {
    const added: string[] = [];
    const removed: string[] = [];
    for (const target of await this.groups.ssoSyncTargets(tx, userId, idpGroups)) {
      if (target.wanted === (target.role !== null)) continue;
      const id = target.groupId;
      await this.groups.find(tx, id, userId, true);
      const role = await this.groups.membership(tx, id, userId);
      if (target.wanted && !role) {
        await this.groups.upsertMember(tx, id, userId, 'member');
        await this.audit.record(tx, actor, { action: AuditAction.GroupMemberAdded, target: { type: 'group', id }, data: { userId, role: 'member', via: 'sso' } });
        added.push(id);
      } else if (!target.wanted && role) {
        if (role === 'owner' && (await this.groups.countOwners(tx, id)) <= 1) continue;
        await this.groups.removeMember(tx, id, userId);
        await this.audit.record(tx, actor, { action: AuditAction.GroupMemberRemoved, target: { type: 'group', id }, data: { userId, role, via: 'sso' } });
        removed.push(id);
      }
    }
    return { added, removed };
  }
}

/** Members returned inline per group; larger groups are listed through the REST API. */
const SCIM_MEMBERS_MAX = 10_000;

export interface ScimGroupView extends ScimGroupRow {
  members: { userId: string; displayName: string }[];
}

export interface ScimGroupChange {
  name?: string;
  externalId?: string | null;
  addMembers?: string[];
  removeMembers?: string[];
  replaceMembers?: string[];
}

function scimGroupConflict(error: unknown): unknown {
  if (isUniqueViolation(error, 'org_group_org_id_scim_external_id_key')) return conflict('external_id_taken', 'A group with this externalId exists');
  return nameConflict(error);
}

function nameConflict(error: unknown): unknown {
  return isUniqueViolation(error, 'org_group_org_id_name_key') ? conflict('group_name_taken', 'A group with this name exists') : error;
}
