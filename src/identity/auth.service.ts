import type { OrgSettings } from '../tenancy/org.repository.js';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Actor } from '../common/actor.js';
import { DomainError, notFound } from '../common/domain-error.js';
import { AuditAction, AuditService } from '../audit/audit.service.js';
import { OrgService } from '../tenancy/org.service.js';
import { TenantDatabase } from '../tenancy/tenant-database.js';
import type { AuthContext } from './auth-context.js';
import { CredentialRepository, type SamlSessionLink, type SessionRow } from './credential.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { PASSWORD_LOGIN_POLICY, type PasswordLoginPolicy } from './password-login-policy.js';
import { csrfTokenFor, hashPassword, newSecret, sha256, verifyPassword } from './secrets.js';
import { UserRepository } from './user.repository.js';
import { checkPassword, view, type UserView } from './user.service.js';

export interface LoginResult {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: UserView;
  org: { id: string; slug: string; name: string };
}

const invalidCredentials = () => new DomainError(401, 'invalid_credentials', 'The organisation, email or password is wrong');
const unauthenticated = () => new DomainError(401, 'unauthenticated', 'Sign in, or send a valid API token');

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly db: TenantDatabase,
    private readonly orgs: OrgService,
    private readonly users: UserRepository,
    private readonly credentials: CredentialRepository,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    @Optional() @Inject(PASSWORD_LOGIN_POLICY) private readonly passwordPolicy: PasswordLoginPolicy | null = null,
  ) {}

  async login(orgSlug: string, email: string, password: string, client: { ip: string; userAgent: string | null; actor: Actor }): Promise<LoginResult> {
    const accountKey = `${orgSlug.toLowerCase()}:${email.toLowerCase()}`;
    const org = await this.orgs.findBySlug(orgSlug);
    try {
      await this.throttle.beforeAttempt(accountKey, client.ip);
    } catch (error) {
      if (org) await this.audit.recordStandalone(org.id, client.actor, { action: AuditAction.LoginThrottled, data: { email } });
      throw error;
    }
    if (!org) {
      await verifyPassword(null, password);
      await this.throttle.failed(accountKey);
      throw invalidCredentials();
    }
    const user = await this.db.withOrg(org.id, (tx) => this.users.findCredentials(tx, email));
    const ok = (await verifyPassword(user?.passwordHash ?? null, password)) && user?.status === 'active';
    if (!ok || !user) {
      await this.throttle.failed(accountKey);
      const reason = !user ? 'unknown_user' : user.status !== 'active' ? 'deactivated' : 'bad_password';
      await this.audit.recordStandalone(org.id, { ...client.actor, userId: user?.id ?? null }, {
        action: AuditAction.LoginFailed,
        target: user ? { type: 'user', id: user.id } : undefined,
        data: { email, reason },
      });
      throw invalidCredentials();
    }
    await this.throttle.succeeded(accountKey);
    if (this.passwordPolicy && !(await this.passwordPolicy.allows(org.id, user.id))) {
      await this.audit.recordStandalone(org.id, { ...client.actor, userId: user.id }, {
        action: AuditAction.LoginFailed,
        target: { type: 'user', id: user.id },
        data: { email, reason: 'sso_required' },
      });
      throw new DomainError(403, 'sso_required', 'This organisation signs in through its identity provider');
    }
    const session = await this.startSession(org.id, user.id, client);
    return { ...session, user: view(user), org: { id: org.id, slug: org.slug, name: org.name } };
  }

  async logout(auth: AuthContext): Promise<void> {
    if (!auth.sessionId) return;
    await this.db.withOrg(auth.orgId, async (tx) => {
      await this.credentials.revokeSession(tx, auth.sessionId!);
      await this.audit.record(tx, auth.actor, { action: AuditAction.Logout, target: { type: 'session', id: auth.sessionId! } });
    });
  }

  /**
   * SP-initiated single logout: ends this cookie session (audited as `auth.logout`) and returns
   * the SAML NameID and SessionIndex it was started with, if any, for the LogoutRequest.
   */
  async logoutSamlSession(auth: AuthContext): Promise<SamlSessionLink | null> {
    if (!auth.sessionId) return null;
    return this.db.withOrg(auth.orgId, async (tx) => {
      const link = await this.credentials.samlLink(tx, auth.sessionId!);
      await this.credentials.revokeSession(tx, auth.sessionId!);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.Logout,
        target: { type: 'session', id: auth.sessionId! },
        data: { via: 'saml' },
      });
      return link;
    });
  }

  /**
   * IdP-initiated single logout: ends every live session started for this NameID (and
   * SessionIndex, when given), audited as `auth.sso_logout` per user. Returns how many ended.
   */
  async revokeSamlSessions(orgId: string, actor: Actor, nameId: string, sessionIndex: string | null): Promise<number> {
    return this.db.withOrg(orgId, async (tx) => {
      const revoked = await this.credentials.revokeSamlSessions(tx, nameId, sessionIndex);
      const byUser = new Map<string, string[]>();
      for (const r of revoked) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r.id]);
      for (const [userId, sessionIds] of byUser) {
        await this.audit.record(tx, actor, {
          action: AuditAction.SsoLogout,
          target: { type: 'user', id: userId },
          data: { protocol: 'saml', initiator: 'idp', sessionIndex, sessionIds },
        });
      }
      if (byUser.size === 0) {
        await this.audit.record(tx, actor, { action: AuditAction.SsoLogout, data: { protocol: 'saml', initiator: 'idp', sessionIndex, sessionIds: [] } });
      }
      return revoked.length;
    });
  }

  /**
   * Resolves a session cookie or bearer token to the active user behind it: one statement
   * (the SECURITY DEFINER function auth_principal), plus a write at most once a minute.
   */
  async authenticate(credential: { kind: 'session' | 'token'; secret: string }, actorBase: Omit<Actor, 'userId' | 'role' | 'type'>): Promise<AuthContext> {
    const principal = await this.db.statement((tx) => this.credentials.principal(tx, credential.kind, sha256(credential.secret)));
    if (!principal) throw unauthenticated();
    // Sessions expire when idle; last-seen and last-used times are written at most once a minute.
    const now = Date.now();
    if (principal.sessionId) {
      const seen = principal.lastSeenAt!.getTime();
      if (now - seen > this.config.env.SESSION_IDLE_HOURS * 3600_000) {
        await this.db.withOrg(principal.orgId, (tx) => this.credentials.revokeSession(tx, principal.sessionId!));
        throw unauthenticated();
      }
      if (now - seen > 60_000) await this.db.withOrg(principal.orgId, (tx) => this.credentials.touchSession(tx, principal.sessionId!));
    } else if (principal.tokenId && (!principal.lastUsedAt || now - principal.lastUsedAt.getTime() > 60_000)) {
      await this.db.withOrg(principal.orgId, (tx) => this.credentials.touchToken(tx, principal.tokenId!));
    }
    return {
      orgId: principal.orgId,
      userId: principal.userId,
      role: principal.role,
      method: credential.kind,
      sessionId: principal.sessionId,
      tokenId: principal.tokenId,
      actor: { ...actorBase, type: 'user', userId: principal.userId, role: principal.role },
    };
  }

  /**
   * Changes my password after checking the current one; every other session of mine ends, so a
   * thief holding an old session is signed out. API tokens stay: they are separate credentials.
   */
  async changePassword(auth: AuthContext, currentPassword: string, newPassword: string): Promise<{ sessionsRevoked: number }> {
    const newHash = await hashPassword(checkPassword(newPassword));
    // Guessing the current password from a hijacked session is throttled like a login.
    const throttleKey = `password-change:${auth.userId}`;
    await this.throttle.beforeAttempt(throttleKey, auth.actor.ip ?? 'unknown');
    const current = await this.db.withOrg(auth.orgId, (tx) => this.users.passwordHash(tx, auth.userId));
    if (!(await verifyPassword(current, currentPassword))) {
      await this.throttle.failed(throttleKey);
      throw new DomainError(403, 'wrong_password', 'The current password is wrong');
    }
    await this.throttle.succeeded(throttleKey);
    return this.db.withOrg(auth.orgId, async (tx) => {
      await this.users.setPasswordHash(tx, auth.userId, newHash);
      const sessionsRevoked = await this.credentials.revokeOtherSessions(tx, auth.userId, auth.sessionId);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.PasswordChanged,
        target: { type: 'user', id: auth.userId },
        data: { sessionsRevoked },
      });
      return { sessionsRevoked };
    });
  }

  /** Me and my org, read in one transaction. */
  async me(auth: AuthContext): Promise<{ user: UserView; org: { id: string; slug: string; name: string; settings: OrgSettings } }> {
    return this.db.withOrg(auth.orgId, async (tx) => {
      const [user, org] = [await this.users.findById(tx, auth.userId), await this.orgs.getInTx(tx)];
      if (!user || !org) throw unauthenticated();
      return { user: view(user), org: { id: org.id, slug: org.slug, name: org.name, settings: org.settings } };
    });
  }

  async listSessions(auth: AuthContext): Promise<(SessionRow & { current: boolean })[]> {
    const rows = await this.db.withOrg(auth.orgId, (tx) => this.credentials.listSessions(tx, auth.userId));
    return rows.map((s) => ({ ...s, current: s.id === auth.sessionId }));
  }

  async revokeSession(auth: AuthContext, sessionId: string): Promise<void> {
    await this.db.withOrg(auth.orgId, async (tx) => {
      if (!(await this.credentials.revokeSession(tx, sessionId, auth.userId))) throw notFound('Session');
      await this.audit.record(tx, auth.actor, { action: AuditAction.SessionRevoked, target: { type: 'session', id: sessionId } });
    });
  }

  /**
   * A server-side session for a user who has proven who they are (password, or an IdP's signed
   * assertion), audited as `auth.login` or `auth.sso_login`. The caller sets the cookies.
   */
  async startSession(
    orgId: string,
    userId: string,
    client: { ip: string; userAgent: string | null; actor: Actor },
    method: 'password' | 'saml' | 'oidc' = 'password',
    saml: SamlSessionLink | null = null,
  ): Promise<{ sessionToken: string; csrfToken: string; expiresAt: Date }> {
    const sessionToken = newSecret();
    const expiresAt = new Date(Date.now() + this.config.env.SESSION_TTL_HOURS * 3600_000);
    await this.db.withOrg(orgId, async (tx) => {
      const user = await this.users.findById(tx, userId);
      if (!user || user.status !== 'active') throw unauthenticated();
      const actor: Actor = { ...client.actor, type: 'user', userId: user.id, role: user.role };
      const session = await this.credentials.insertSession(tx, {
        userId: user.id,
        hash: sha256(sessionToken),
        expiresAt,
        ip: client.ip,
        userAgent: client.userAgent?.slice(0, 500) ?? null,
        saml,
      });
      await this.audit.record(tx, actor, {
        action: method === 'password' ? AuditAction.LoginSucceeded : AuditAction.SsoLoginSucceeded,
        target: { type: 'session', id: session.id },
        data: { method },
      });
    });
    return { sessionToken, csrfToken: csrfTokenFor(sessionToken), expiresAt };
  }
}
