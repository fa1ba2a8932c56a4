import { Injectable } from '@nestjs/common';
import { escapeLike } from '../common/sql.js';
import type { OrgTx } from '../tenancy/tenant-database.js';
import type { UserRole } from './auth-context.js';

export type UserStatus = 'active' | 'deactivated';

export interface UserRow {
  id: string;
  orgId: string;
  email: string;
  displayName: string;
  handle: string;
  title: string | null;
  department: string | null;
  role: UserRole;
  status: UserStatus;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
}

export interface NewUser {
  email: string;
  displayName: string;
  handle: string;
  title: string | null;
  department: string | null;
  role: UserRole;
  passwordHash: string | null;
}

export type UserChanges = Partial<Pick<UserRow, 'email' | 'displayName' | 'handle' | 'title' | 'department' | 'role' | 'status'>>;

export interface UserListFilter {
  q?: string;
  status?: UserStatus;
  role?: UserRole;
  after?: [string, string];
}

/** An SSO identity: the SAML NameID or the OIDC `iss#sub` a user is linked to. */
export interface SsoLink {
  protocol: 'saml' | 'oidc';
  key: string;
}

const SSO_LINK_COLUMN: Record<SsoLink['protocol'], string> = { saml: 'saml_name_id', oidc: 'oidc_subject' };

const COLUMNS = `id, org_id AS "orgId", email, display_name AS "displayName", handle, title, department, role, status,
  created_at AS "createdAt", updated_at AS "updatedAt", deactivated_at AS "deactivatedAt"`;

const CHANGE_COLUMNS: Record<keyof UserChanges, string> = {
  email: 'email',
  displayName: 'display_name',
  handle: 'handle',
  title: 'title',
  department: 'department',
  role: 'role',
  status: 'status',
};

@Injectable()
export class UserRepository {
  async insert(tx: OrgTx, u: NewUser): Promise<UserRow> {
    const rows = await tx.query<UserRow>(
      `INSERT INTO user_account (org_id, email, display_name, handle, title, department, role, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [tx.orgId, u.email, u.displayName, u.handle, u.title, u.department, u.role, u.passwordHash],
    );
    return rows[0];
  }

  async findById(tx: OrgTx, id: string, forUpdate = false): Promise<UserRow | null> {
    const rows = await tx.query<UserRow>(
      `SELECT ${COLUMNS} FROM user_account WHERE org_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  async findCredentials(tx: OrgTx, email: string): Promise<(UserRow & { passwordHash: string | null }) | null> {
    const rows = await tx.query<UserRow & { passwordHash: string | null }>(
      `SELECT ${COLUMNS}, password_hash AS "passwordHash" FROM user_account WHERE org_id = $1 AND lower(email) = lower($2)`,
      [tx.orgId, email],
    );
    return rows[0] ?? null;
  }

  async activeIdsByHandles(tx: OrgTx, handles: string[]): Promise<string[]> {
    if (handles.length === 0) return [];
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM user_account WHERE org_id = $1 AND lower(handle) = ANY($2::text[]) AND status = 'active'`,
      [tx.orgId, handles.map((h) => h.toLowerCase())],
    );
    return rows.map((r) => r.id);
  }

  async handleTaken(tx: OrgTx, handle: string): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM user_account WHERE org_id = $1 AND lower(handle) = lower($2)`, [tx.orgId, handle]);
    return rows.length > 0;
  }

  /** Serialises "last admin" decisions per org, then counts; concurrent demotions cannot both pass. */
  async lockAndCountActiveAdmins(tx: OrgTx): Promise<number> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('admins:' || $1, 0))`, [tx.orgId]);
    const rows = await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM user_account WHERE org_id = $1 AND role = 'admin' AND status = 'active'`,
      [tx.orgId],
    );
    return rows[0].n;
  }

  async update(tx: OrgTx, id: string, changes: UserChanges): Promise<UserRow> {
    const sets: string[] = [];
    const params: unknown[] = [tx.orgId, id];
    for (const [key, column] of Object.entries(CHANGE_COLUMNS) as [keyof UserChanges, string][]) {
      if (changes[key] === undefined) continue;
      params.push(changes[key]);
      sets.push(`${column} = $${params.length}`);
      if (key === 'status') {
        sets.push(`deactivated_at = CASE WHEN $${params.length} = 'active' THEN NULL ELSE coalesce(deactivated_at, now()) END`);
      }
    }
    const rows = await tx.query<UserRow>(
      `UPDATE user_account SET ${sets.join(', ')}, updated_at = now() WHERE org_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      params,
    );
    return rows[0];
  }

  async passwordHash(tx: OrgTx, id: string): Promise<string | null> {
    const rows = await tx.query<{ hash: string | null }>(
      `SELECT password_hash AS hash FROM user_account WHERE org_id = $1 AND id = $2 FOR UPDATE`,
      [tx.orgId, id],
    );
    return rows[0]?.hash ?? null;
  }

  async setPasswordHash(tx: OrgTx, id: string, hash: string): Promise<void> {
    await tx.query(`UPDATE user_account SET password_hash = $3, updated_at = now() WHERE org_id = $1 AND id = $2`, [tx.orgId, id, hash]);
  }

  /** Directory listing ordered by display name; keyset on (lower(display_name), id). */
  async list(tx: OrgTx, f: UserListFilter, limit: number): Promise<UserRow[]> {
    return tx.query<UserRow>(
      `SELECT ${COLUMNS} FROM user_account
       WHERE org_id = $1
         AND ($2::text IS NULL OR display_name ILIKE $2 OR email ILIKE $2 OR handle ILIKE $2)
         AND ($3::text IS NULL OR status = $3)
         AND ($4::text IS NULL OR role = $4)
         AND ($5::text IS NULL OR (lower(display_name), id) > ($5, $6::uuid))
       ORDER BY lower(display_name), id LIMIT $7`,
      [tx.orgId, f.q ? `%${escapeLike(f.q)}%` : null, f.status ?? null, f.role ?? null, f.after?.[0] ?? null, f.after?.[1] ?? null, limit],
    );
  }

  /**
   * Type-ahead over active users: name, handle or email containing `q`. Those where it starts the
   * name (or a word of it), the handle or the email come first, then by name.
   */
  async autocomplete(tx: OrgTx, q: string, limit: number): Promise<UserRow[]> {
    const text = escapeLike(q);
    return tx.query<UserRow>(
      `SELECT ${COLUMNS} FROM user_account
       WHERE org_id = $1 AND status = 'active'
         AND (display_name ILIKE $2 OR handle ILIKE $2 OR email ILIKE $2)
       ORDER BY (display_name ILIKE $3 OR display_name ILIKE $4 OR handle ILIKE $3 OR email ILIKE $3) DESC, lower(display_name), id
       LIMIT $5`,
      [tx.orgId, `%${text}%`, `${text}%`, `% ${text}%`, limit],
    );
  }

  // SCIM provisioning: the IdP's externalId, and users it deleted (deactivated, hidden from SCIM).

  async findScim(tx: OrgTx, id: string): Promise<ScimUserRow | null> {
    const rows = await tx.query<ScimUserRow>(
      `SELECT ${SCIM_COLUMNS} FROM user_account WHERE org_id = $1 AND id = $2 AND scim_deleted_at IS NULL`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  /** One page of users the IdP may see, oldest first; SCIM pages by offset (startIndex). */
  async listScim(tx: OrgTx, f: ScimUserFilter, offset: number, limit: number): Promise<{ total: number; rows: ScimUserRow[] }> {
    const where = `org_id = $1 AND scim_deleted_at IS NULL
      AND ($2::text IS NULL OR lower(email) = lower($2))
      AND ($3::text IS NULL OR scim_external_id = $3)
      AND ($4::uuid IS NULL OR id = $4)`;
    const params = [tx.orgId, f.email ?? null, f.externalId ?? null, f.id ?? null];
    const count = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM user_account WHERE ${where}`, params);
    const rows = limit === 0 ? [] : await tx.query<ScimUserRow>(
      `SELECT ${SCIM_COLUMNS} FROM user_account WHERE ${where} ORDER BY created_at, id OFFSET $5 LIMIT $6`,
      [...params, offset, limit],
    );
    return { total: Number(count[0].n), rows };
  }

  async setScimExternalId(tx: OrgTx, id: string, externalId: string | null): Promise<void> {
    await tx.query(`UPDATE user_account SET scim_external_id = $3, updated_at = now() WHERE org_id = $1 AND id = $2`, [tx.orgId, id, externalId]);
  }

  async markScimDeleted(tx: OrgTx, id: string): Promise<void> {
    await tx.query(`UPDATE user_account SET scim_deleted_at = now(), updated_at = now() WHERE org_id = $1 AND id = $2`, [tx.orgId, id]);
  }

  /**
   * The user an SSO sign-in names: the one linked to this SAML NameID or OIDC subject, else an
   * unlinked user with this email (linked on first sign-in); locked for the sign-in. A user
   * linked to another identity is never matched.
   */
  async findSsoUser(tx: OrgTx, link: SsoLink, email: string | null): Promise<(UserRow & { linked: boolean }) | null> {
    const column = SSO_LINK_COLUMN[link.protocol];
    const rows = await tx.query<UserRow & { linked: boolean }>(
      `SELECT ${COLUMNS}, ${column} IS NOT NULL AS linked FROM user_account
       WHERE org_id = $1 AND (${column} = $2 OR (${column} IS NULL AND $3::text IS NOT NULL AND lower(email) = lower($3)))
       ORDER BY (${column} IS NOT NULL) DESC LIMIT 1 FOR UPDATE`,
      [tx.orgId, link.key, email],
    );
    return rows[0] ?? null;
  }

  async setSsoLink(tx: OrgTx, id: string, link: SsoLink): Promise<void> {
    await tx.query(`UPDATE user_account SET ${SSO_LINK_COLUMN[link.protocol]} = $3, updated_at = now() WHERE org_id = $1 AND id = $2`, [
      tx.orgId,
      id,
      link.key,
    ]);
  }

  async isBreakGlass(tx: OrgTx, id: string): Promise<boolean> {
    const rows = await tx.query<{ breakGlass: boolean }>(
      `SELECT break_glass AS "breakGlass" FROM user_account WHERE org_id = $1 AND id = $2`,
      [tx.orgId, id],
    );
    return rows[0]?.breakGlass ?? false;
  }

  /** Sets the flag; returns its previous value, or null when there is no such user. */
  async setBreakGlass(tx: OrgTx, id: string, breakGlass: boolean): Promise<boolean | null> {
    const rows = await tx.query<{ before: boolean }>(
      `UPDATE user_account u SET break_glass = $3, updated_at = CASE WHEN old.break_glass = $3 THEN u.updated_at ELSE now() END
       FROM user_account old WHERE u.org_id = $1 AND u.id = $2 AND old.org_id = u.org_id AND old.id = u.id
       RETURNING old.break_glass AS before`,
      [tx.orgId, id, breakGlass],
    );
    return rows[0]?.before ?? null;
  }

  async countActiveBreakGlassAdmins(tx: OrgTx): Promise<number> {
    const rows = await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM user_account WHERE org_id = $1 AND role = 'admin' AND status = 'active' AND break_glass`,
      [tx.orgId],
    );
    return Number(rows[0].n);
  }

}

export interface ScimUserRow extends UserRow {
  externalId: string | null;
}

export interface ScimUserFilter {
  email?: string;
  externalId?: string;
  id?: string;
}

const SCIM_COLUMNS = `${COLUMNS}, scim_external_id AS "externalId"`;
