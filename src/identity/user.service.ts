import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { decodeCursor, toPage, type Page } from '../common/cursor.js';
import { badRequest, conflict, forbidden, isUniqueViolation, notFound } from '../common/domain-error.js';
import { AuditAction, AuditService } from '../audit/audit.service.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import type { UserRole } from './auth-context.js';
import { CredentialRepository } from './credential.repository.js';
import { hashPassword } from './secrets.js';
import { UserRepository, type ScimUserFilter, type ScimUserRow, type SsoLink, type UserChanges, type UserListFilter, type UserRow, type UserStatus } from './user.repository.js';

export interface CreateUserInput {
  email: string;
  displayName: string;
  handle?: string;
  title?: string | null;
  department?: string | null;
  role?: UserRole;
  password?: string;
}

export type UpdateUserInput = UserChanges;

export type UserView = Omit<UserRow, 'orgId'>;

/** Local passwords are for bootstrap and break-glass admins: long, and bounded for argon2. */
export function checkPassword(password: string): string {
  if (password.length < 12 || password.length > 256) throw badRequest('weak_password', 'A password must be 12 to 256 characters');
  return password;
}

const SELF_EDITABLE: (keyof UserChanges)[] = ['displayName', 'handle', 'title', 'department'];

@Injectable()
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly credentials: CredentialRepository,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
  ) {}

  async create(orgId: string, actor: Actor, input: CreateUserInput): Promise<UserView> {
    const passwordHash = input.password !== undefined ? await hashPassword(checkPassword(input.password)) : null;
    return this.db.withOrg(orgId, (tx) => this.createInTx(tx, actor, input, passwordHash));
  }

  /** For callers that already hold the org's transaction (org provisioning, demo seed). */
  async createInTx(tx: OrgTx, actor: Actor, input: CreateUserInput, passwordHash: string | null): Promise<UserView> {
    const handle = input.handle ?? (await this.freeHandle(tx, input.email));
    try {
      const user = await this.users.insert(tx, {
        email: input.email.trim(),
        displayName: input.displayName.trim(),
        handle,
        title: input.title ?? null,
        department: input.department ?? null,
        role: input.role ?? 'member',
        passwordHash,
      });
      await this.audit.record(tx, actor, {
        action: AuditAction.UserCreated,
        target: { type: 'user', id: user.id },
        data: { email: user.email, role: user.role, handle: user.handle },
      });
      return view(user);
    } catch (error) {
      throw this.uniqueToConflict(error);
    }
  }

  async get(orgId: string, id: string): Promise<UserView> {
    const user = await this.db.withOrg(orgId, (tx) => this.users.findById(tx, id));
    if (!user) throw notFound('User');
    return view(user);
  }

  async findByEmail(orgId: string, email: string): Promise<UserView | null> {
    const user = await this.db.withOrg(orgId, (tx) => this.users.findCredentials(tx, email));
    return user && view(user);
  }

  /** Active users of this org with these @handles (unknown handles are simply not mentions). */
  async activeIdsByHandles(tx: OrgTx, handles: string[]): Promise<string[]> {
    return this.users.activeIdsByHandles(tx, handles);
  }

  /** For other modules inside their own transaction: the user must exist in this org and be active. */
  async requireActive(tx: OrgTx, id: string): Promise<UserView> {
    const user = await this.users.findById(tx, id);
    if (!user) throw notFound('User');
    if (user.status !== 'active') throw conflict('user_deactivated', 'The user is deactivated');
    return view(user);
  }

  /** For other modules inside their own transaction: 404 unless the user exists in this org. */
  async requireExists(tx: OrgTx, id: string): Promise<UserView> {
    const user = await this.users.findById(tx, id);
    if (!user) throw notFound('User');
    return view(user);
  }

  async list(orgId: string, filter: Omit<UserListFilter, 'after'>, limit: number, cursor?: string): Promise<Page<UserView>> {
    const key = decodeCursor(cursor, 2);
    const rows = await this.db.withOrg(orgId, (tx) =>
      this.users.list(tx, { ...filter, after: key ? [String(key[0]), String(key[1])] : undefined }, limit + 1),
    );
    return toPage(rows, limit, (u) => [u.displayName.toLowerCase(), u.id], view);
  }

  /** @mention type-ahead: active users by name, handle or email, prefix matches first. */
  async autocomplete(orgId: string, q: string, limit: number): Promise<UserView[]> {
    const rows = await this.db.withOrg(orgId, (tx) => this.users.autocomplete(tx, q, limit));
    return rows.map(view);
  }

  /**
   * Admins change anything; people change their own profile fields only. Deactivation kills
   * every session and token in the same transaction, so it takes effect on the next request.
   */
  async update(orgId: string, actor: Actor, id: string, changes: UpdateUserInput): Promise<UserView> {
    const isAdmin = actor.role === 'admin';
    if (!isAdmin) {
      if (actor.userId !== id) throw notFound('User');
      const denied = Object.entries(changes)
        .filter(([k, v]) => v !== undefined && !SELF_EDITABLE.includes(k as keyof UserChanges))
        .map(([k]) => k);
      if (denied.length > 0) throw forbidden(`Only an admin can change ${denied.join(', ')}`);
    }
    try {
      return await this.db.withOrg(orgId, async (tx) => {
        const before = await this.users.findById(tx, id, true);
        if (!before) throw notFound('User');
        const losesAdmin =
          before.role === 'admin' && before.status === 'active' &&
          ((changes.role !== undefined && changes.role !== 'admin') || changes.status === 'deactivated');
        if (losesAdmin && (await this.users.lockAndCountActiveAdmins(tx)) <= 1) {
          throw conflict('last_admin', 'The organisation must keep at least one active admin');
        }
        const effective = Object.fromEntries(
          Object.entries(changes).filter(([k, v]) => v !== undefined && before[k as keyof UserRow] !== v),
        ) as UserChanges;
        if (Object.keys(effective).length === 0) return view(before);
        const after = await this.users.update(tx, id, effective);
        await this.auditChanges(tx, actor, before, effective);
        return view(after);
      });
    } catch (error) {
      throw this.uniqueToConflict(error);
    }
  }

  async setStatus(orgId: string, actor: Actor, id: string, status: UserStatus): Promise<UserView> {
    return this.update(orgId, actor, id, { status });
  }

  private async auditChanges(tx: OrgTx, actor: Actor, before: UserRow, changes: UserChanges): Promise<void> {
    const target = { type: 'user', id: before.id };
    if (changes.status === 'deactivated') {
      const revoked = await this.credentials.revokeAllForUser(tx, before.id);
      await this.audit.record(tx, actor, { action: AuditAction.UserDeactivated, target, data: { revoked } });
    }
    if (changes.status === 'active') await this.audit.record(tx, actor, { action: AuditAction.UserReactivated, target });
    if (changes.role !== undefined) {
      await this.audit.record(tx, actor, { action: AuditAction.UserRoleChanged, target, data: { from: before.role, to: changes.role } });
    }
    const { status: _s, role: _r, ...profile } = changes;
    if (Object.keys(profile).length > 0) {
      const diff = Object.fromEntries(Object.keys(profile).map((k) => [k, { from: before[k as keyof UserRow], to: profile[k as keyof typeof profile] }]));
      await this.audit.record(tx, actor, { action: AuditAction.UserUpdated, target, data: { changes: diff } });
    }
  }

  private async freeHandle(tx: OrgTx, email: string): Promise<string> {
    const base = (email.split('@')[0].replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[.-]+/, '') || 'user').slice(0, 32);
    for (let n = 0; n < 1000; n++) {
      const candidate = n === 0 ? base : `${base}${n + 1}`;
      if (!(await this.users.handleTaken(tx, candidate))) return candidate;
    }
    throw conflict('handle_taken', 'Choose a handle for this user');
  }

  private uniqueToConflict(error: unknown): unknown {
    if (isUniqueViolation(error, 'user_account_org_id_email_key')) return conflict('email_taken', 'A user with this email exists in this organisation');
    if (isUniqueViolation(error, 'user_account_org_id_handle_key')) return conflict('handle_taken', 'This handle is taken in this organisation');
    return error;
  }

  // SCIM provisioning. The SCIM actor acts with admin rights within its org, so profile and
  // status changes go through `update` (same rules: last admin kept, deactivation revokes).

  /** Creates a user for the IdP with its externalId, in one transaction. */
  async createScim(orgId: string, actor: Actor, input: CreateUserInput, externalId: string | null): Promise<ScimUserRow> {
    try {
      return await this.db.withOrg(orgId, async (tx) => {
        const user = await this.createInTx(tx, actor, input, null);
        if (externalId !== null) await this.users.setScimExternalId(tx, user.id, externalId);
        return (await this.users.findScim(tx, user.id))!;
      });
    } catch (error) {
      throw this.scimExternalIdConflict(error);
    }
  }

  /** 404 for unknown users and for users the IdP deleted. */
  async getScim(orgId: string, id: string): Promise<ScimUserRow> {
    const user = await this.db.withOrg(orgId, (tx) => this.users.findScim(tx, id));
    if (!user) throw notFound('User');
    return user;
  }

  async listScim(orgId: string, filter: ScimUserFilter, offset: number, limit: number): Promise<{ total: number; rows: ScimUserRow[] }> {
    return this.db.withOrg(orgId, (tx) => this.users.listScim(tx, filter, offset, limit));
  }

  async setScimExternalId(orgId: string, actor: Actor, id: string, externalId: string | null): Promise<void> {
    try {
      await this.db.withOrg(orgId, async (tx) => {
        const user = await this.users.findScim(tx, id);
        if (!user) throw notFound('User');
        if (user.externalId === externalId) return;
        await this.users.setScimExternalId(tx, id, externalId);
        await this.audit.record(tx, actor, {
          action: AuditAction.UserUpdated,
          target: { type: 'user', id },
          data: { changes: { externalId: { from: user.externalId, to: externalId } } },
        });
      });
    } catch (error) {
      throw this.scimExternalIdConflict(error);
    }
  }

  /** The IdP deleted the user: deactivate (sessions and tokens end, content stays), then hide from SCIM. */
  async deleteScim(orgId: string, actor: Actor, id: string): Promise<void> {
    await this.getScim(orgId, id);
    await this.update(orgId, actor, id, { status: 'deactivated' });
    await this.db.withOrg(orgId, async (tx) => {
      await this.users.markScimDeleted(tx, id);
      await this.audit.record(tx, actor, { action: AuditAction.ScimUserDeleted, target: { type: 'user', id } });
    });
  }

  private scimExternalIdConflict(error: unknown): unknown {
    if (isUniqueViolation(error, 'user_account_org_id_scim_external_id_key')) return conflict('external_id_taken', 'A user with this externalId exists in this organisation');
    return error;
  }

  /** SSO sign-in, inside the caller's transaction: the linked user (or an unlinked one with this email, linked now). */
  async findForSsoLink(tx: OrgTx, link: SsoLink, email: string | null): Promise<UserView | null> {
    const user = await this.users.findSsoUser(tx, link, email);
    if (user && !user.linked) await this.users.setSsoLink(tx, user.id, link);
    return user && view(user);
  }

  /** Just-in-time provisioning from an IdP: a user without a password, linked to the SSO identity. */
  async createForSsoLink(tx: OrgTx, actor: Actor, link: SsoLink, input: CreateUserInput): Promise<UserView> {
    const user = await this.createInTx(tx, actor, { ...input, password: undefined }, null);
    await this.users.setSsoLink(tx, user.id, link);
    return user;
  }

  /** Profile fields the IdP asserts win over local edits; changes are audited like an admin's. */
  async syncFromSso(tx: OrgTx, actor: Actor, id: string, changes: Pick<UserChanges, 'email' | 'displayName' | 'handle' | 'title' | 'department'>): Promise<UserView> {
    const before = await this.users.findById(tx, id, true);
    if (!before) throw notFound('User');
    const effective = Object.fromEntries(
      Object.entries(changes).filter(([k, v]) => v !== undefined && before[k as keyof UserRow] !== v),
    ) as UserChanges;
    if (Object.keys(effective).length === 0) return view(before);
    try {
      const after = await this.users.update(tx, id, effective);
      await this.auditChanges(tx, actor, before, effective);
      return view(after);
    } catch (error) {
      throw this.uniqueToConflict(error);
    }
  }

  /** Break-glass users keep their local password when the org requires SSO. */
  async isBreakGlass(orgId: string, id: string): Promise<boolean> {
    return this.db.withOrg(orgId, (tx) => this.users.isBreakGlass(tx, id));
  }

  /** Admins (and the CLI) flag or unflag a user as break-glass; audited as a user update. */
  async setBreakGlass(orgId: string, actor: Actor, id: string, breakGlass: boolean): Promise<UserView & { breakGlass: boolean }> {
    return this.db.withOrg(orgId, async (tx) => {
      const before = await this.users.findById(tx, id, true);
      if (!before) throw notFound('User');
      const was = await this.users.setBreakGlass(tx, id, breakGlass);
      if (was !== breakGlass) {
        await this.audit.record(tx, actor, {
          action: AuditAction.UserUpdated,
          target: { type: 'user', id },
          data: { changes: { breakGlass: { from: was, to: breakGlass } } },
        });
      }
      return { ...view((await this.users.findById(tx, id))!), breakGlass };
    });
  }

  /** PATCH with `breakGlass`: admins only; the other fields follow `update`'s rules first. */
  async updateWithBreakGlass(orgId: string, actor: Actor, id: string, changes: UpdateUserInput, breakGlass: boolean): Promise<UserView & { breakGlass: boolean }> {
    if (actor.role !== 'admin') {
      if (actor.userId !== id) throw notFound('User');
      throw forbidden('Only an admin can change breakGlass');
    }
    if (Object.values(changes).some((v) => v !== undefined)) await this.update(orgId, actor, id, changes);
    return this.setBreakGlass(orgId, actor, id, breakGlass);
  }

  /** For the SSO settings, inside their transaction: active admins who may still use a password. */
  async countActiveBreakGlassAdmins(tx: OrgTx): Promise<number> {
    return this.users.countActiveBreakGlassAdmins(tx);
  }

}


/** Public shape of a user: fields picked one by one so no column (e.g. a password hash) leaks by accident. */
export function view(u: UserRow): UserView {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    handle: u.handle,
    title: u.title,
    department: u.department,
    role: u.role,
    status: u.status,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    deactivatedAt: u.deactivatedAt,
  };
}
