import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { decodeCursor, toPage, type Page } from '../common/cursor.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import { AuditRepository, type AuditFilter, type AuditRow } from './audit.repository.js';
import { auditHash, ChainVerifier, type ChainBreak } from './audit-chain.js';

/** Stable names of audited actions. */
export enum AuditAction {
  OrgCreated = 'org.created',
  OrgUpdated = 'org.updated',
  PostDeletedByModerator = 'post.deleted_by_moderator',
  LoginSucceeded = 'auth.login',
  LoginFailed = 'auth.login_failed',
  LoginThrottled = 'auth.login_throttled',
  Logout = 'auth.logout',
  SessionRevoked = 'auth.session_revoked',
  TokenCreated = 'token.created',
  TokenRevoked = 'token.revoked',
  UserCreated = 'user.created',
  PasswordChanged = 'user.password_changed',
  UserUpdated = 'user.updated',
  UserRoleChanged = 'user.role_changed',
  UserDeactivated = 'user.deactivated',
  UserReactivated = 'user.reactivated',
  GroupCreated = 'group.created',
  GroupUpdated = 'group.updated',
  GroupArchived = 'group.archived',
  GroupUnarchived = 'group.unarchived',
  GroupMemberAdded = 'group.member_added',
  GroupMemberRoleChanged = 'group.member_role_changed',
  GroupMemberRemoved = 'group.member_removed',
  SsoLoginSucceeded = 'auth.sso_login',
  SsoLoginFailed = 'auth.sso_login_failed',
  SamlConfigUpdated = 'sso.saml_config_updated',
  SsoGroupLinksUpdated = 'sso.group_links_updated',
  SsoLoginThrottled = 'auth.sso_login_throttled',
  SsoLogout = 'auth.sso_logout',
  ScimTokenCreated = 'scim.token_created',
  ScimTokenRevoked = 'scim.token_revoked',
  ScimUserDeleted = 'scim.user_deleted',
  OidcConfigUpdated = 'sso.oidc_config_updated',
  RetentionPolicyUpdated = 'retention.policy_updated',
  RetentionGroupPolicyUpdated = 'retention.group_policy_updated',
  RetentionSweepRequested = 'retention.sweep_requested',
  RetentionSweepCompleted = 'retention.sweep_completed',
  LegalHoldCreated = 'hold.created',
  LegalHoldUpdated = 'hold.updated',
  LegalHoldReleased = 'hold.released',
  ExportRequested = 'export.requested',
  ExportCompleted = 'export.completed',
  ExportFailed = 'export.failed',
  ExportDownloaded = 'export.downloaded',
  ExportExpired = 'export.expired',
  SlackInstalled = 'slack.installed',
  SlackDisconnected = 'slack.disconnected',
  SlackChannelLinked = 'slack.channel_linked',
  SlackChannelUnlinked = 'slack.channel_unlinked',
  SlackSettingsUpdated = 'slack.settings_updated',
  EmailSecretAddressRotated = 'email.secret_address_rotated',
  EmailSecretAddressRemoved = 'email.secret_address_removed',
}

export interface AuditEntry {
  action: AuditAction;
  target?: { type: string; id: string };
  data?: Record<string, unknown>;
}

export interface AuditEventView {
  seq: number;
  id: string;
  occurredAt: string;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string } | null;
  ip: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
  hash: string;
}

export type VerifyResult = { ok: true; checked: number } | { ok: false; checked: number; firstBreak: ChainBreak };

const VERIFY_BATCH = 1000;

@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly db: TenantDatabase,
  ) {}

  /** Appends to the org's chain inside the caller's transaction, so the event commits with the change. */
  async record(tx: OrgTx, actor: Actor, entry: AuditEntry): Promise<void> {
    const last = await this.repo.lockChain(tx);
    const fields = {
      orgId: tx.orgId,
      seq: (last?.seq ?? 0) + 1,
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      actorType: actor.type,
      actorId: actor.userId,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      ip: actor.ip,
      requestId: actor.requestId,
      data: entry.data ?? {},
      prevHash: last?.hash ?? null,
    };
    await this.repo.insert(tx, { ...fields, hash: auditHash(fields) });
  }

  /** Records in a transaction of its own (e.g. a failed login, which must persist though the request fails). */
  async recordStandalone(orgId: string, actor: Actor, entry: AuditEntry): Promise<void> {
    await this.db.withOrg(orgId, (tx) => this.record(tx, actor, entry));
  }

  async list(orgId: string, filter: Omit<AuditFilter, 'beforeSeq'>, limit: number, cursor?: string): Promise<Page<AuditEventView>> {
    const key = decodeCursor(cursor, 1);
    const rows = await this.db.withOrg(orgId, (tx) =>
      this.repo.list(tx, { ...filter, beforeSeq: key ? Number(key[0]) : undefined }, limit + 1),
    );
    return toPage(rows, limit, (r) => [r.seq], toView);
  }

  async verify(orgId: string): Promise<VerifyResult> {
    const verifier = new ChainVerifier();
    let after = 0;
    for (;;) {
      const rows = await this.db.withOrg(orgId, (tx) => this.repo.chainBatch(tx, after, VERIFY_BATCH));
      for (const row of rows) {
        const broken = verifier.check(row);
        if (broken) return { ok: false, checked: verifier.checked, firstBreak: broken };
      }
      if (rows.length < VERIFY_BATCH) return { ok: true, checked: verifier.checked };
      after = rows[rows.length - 1].seq;
    }
  }
}

function toView(r: AuditRow): AuditEventView {
  return {
    seq: r.seq,
    id: r.id,
    occurredAt: r.occurredAt,
    actor: { type: r.actorType, id: r.actorId },
    action: r.action,
    target: r.targetType && r.targetId ? { type: r.targetType, id: r.targetId } : null,
    ip: r.ip,
    requestId: r.requestId,
    data: r.data,
    hash: r.hash,
  };
}
