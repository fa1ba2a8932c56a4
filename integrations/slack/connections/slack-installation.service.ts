import { Inject, Injectable } from '@nestjs/common';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { AuditAction, AuditService } from '../../../src/audit/audit.service.js';
import { systemActor, type Actor } from '../../../src/common/actor.js';
import { isUniqueViolation, notFound } from '../../../src/common/domain-error.js';
import { LOGGER } from '../../../src/common/logger.module.js';
import { AppConfig } from '../../../src/config/app-config.js';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { GroupService } from '../../../src/groups/group.service.js';
import { SecretBox } from '../../../src/sso/oidc/secret-box.js';
import { TenantDatabase, type OrgTx } from '../../../src/tenancy/tenant-database.js';
import { SlackInstallations, type SlackInstallationRecord } from '../slack.types.js';
import { SlackError, SlackErrorCode } from '../slack-error.js';
import { SlackInstallationRepository, type SlackInstallationInput, type SlackInstallationRow } from './slack-installation.repository.js';
import { SlackOAuthState } from './slack-oauth-state.js';
import { SlackWebApi } from './slack-web-api.js';

/** The bot scopes the install asks for (the manifest lists the same). */
export const SLACK_BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'channels:history',
  'groups:history',
  'channels:read',
  'groups:read',
  'users:read',
  'users:read.email',
];

/** An installation as admins see it: never a token or secret. */
export interface SlackInstallationView {
  id: string;
  teamId: string;
  teamName: string | null;
  enterpriseId: string | null;
  appId: string | null;
  botUserId: string | null;
  botId: string | null;
  botScopes: string[];
  method: 'oauth' | 'token';
  ownSigningSecret: boolean;
  defaultGroupId: string | null;
  installedBy: string | null;
  installedAt: Date;
  revokedAt: Date | null;
}

interface BotIdentity {
  teamId: string;
  teamName: string | null;
  botUserId: string | null;
  botId: string | null;
}

/**
 * Connected Slack workspaces: connect by bot token or by OAuth v2 (WebClient.oauth.v2.access, no
 * Bolt InstallProvider: the state, storage and audit are ours), list, settings, disconnect.
 * Tokens and signing secrets are sealed with SecretBox under the org id.
 */
@Injectable()
export class SlackInstallationService extends SlackInstallations {
  constructor(
    private readonly repo: SlackInstallationRepository,
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly groups: GroupService,
    private readonly secrets: SecretBox,
    private readonly slack: SlackWebApi,
    private readonly states: SlackOAuthState,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    super();
  }

  async forTeam(teamId: string): Promise<{ orgId: string; installationId: string; signingSecret: string | null } | null> {
    const row = await this.db.unscoped((tx) => this.repo.forTeam(tx, teamId));
    if (!row) return null;
    return {
      orgId: row.orgId,
      installationId: row.installationId,
      signingSecret: row.signingSecretSealed === null ? null : this.secrets.open(row.signingSecretSealed, row.orgId),
    };
  }

  async get(orgId: string, installationId: string): Promise<SlackInstallationRecord | null> {
    const row = await this.db.withOrg(orgId, (tx) => this.repo.find(tx, installationId));
    if (!row || row.revokedAt) return null;
    return {
      orgId: row.orgId,
      id: row.id,
      teamId: row.teamId,
      teamName: row.teamName,
      botUserId: row.botUserId,
      botId: row.botId,
      botToken: this.secrets.open(row.botTokenSealed, row.orgId),
      defaultGroupId: row.defaultGroupId,
    };
  }

  /** A live installation of this org in a transaction of the caller's, else 404. */
  async requireLive(tx: OrgTx, id: string, forUpdate = false): Promise<SlackInstallationRow> {
    const row = await this.repo.find(tx, id, forUpdate);
    if (!row || row.revokedAt) throw notFound('Slack installation');
    return row;
  }

  async list(orgId: string): Promise<SlackInstallationView[]> {
    return (await this.db.withOrg(orgId, (tx) => this.repo.list(tx))).map(view);
  }

  /** Single-workspace setup: the bot token (and optionally the app's signing secret) pasted by an admin. */
  async connectWithToken(auth: AuthContext, input: { botToken: string; signingSecret?: string; defaultGroupId?: string }): Promise<SlackInstallationView> {
    const bot = await this.whoAmI(this.slack.client(input.botToken), SlackErrorCode.TokenInvalid);
    if (input.defaultGroupId) await this.groups.get(auth, input.defaultGroupId);
    return this.store(auth.orgId, auth.actor, {
      teamId: bot.teamId,
      teamName: bot.teamName,
      enterpriseId: null,
      appId: null,
      botUserId: bot.botUserId,
      botId: bot.botId,
      botTokenSealed: this.secrets.seal(input.botToken, auth.orgId),
      botScopes: [],
      signingSecretSealed: input.signingSecret ? this.secrets.seal(input.signingSecret, auth.orgId) : null,
      method: 'token',
      defaultGroupId: input.defaultGroupId ?? null,
      installedBy: auth.userId,
    });
  }

  /** Where "Add to Slack" sends the admin: Slack's consent screen with a state bound to them. */
  startOAuth(auth: AuthContext): string {
    const clientId = this.config.env.SLACK_CLIENT_ID;
    if (!clientId || !this.config.env.SLACK_CLIENT_SECRET) {
      throw new SlackError(SlackErrorCode.OAuthNotConfigured, 'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set: use the bot-token setup instead');
    }
    const url = new URL('https://slack.com/oauth/v2/authorize');
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('scope', SLACK_BOT_SCOPES.join(','));
    url.searchParams.set('redirect_uri', this.redirectUri());
    url.searchParams.set('state', this.states.issue({ orgId: auth.orgId, userId: auth.userId }));
    return url.toString();
  }

  /** Slack's redirect back: the state first (fail closed), then the code for a bot token. */
  async completeOAuth(
    auth: AuthContext,
    query: { code?: unknown; state?: unknown; error?: unknown },
  ): Promise<{ installed: SlackInstallationView } | { declined: string }> {
    await this.states.redeem(query.state, { orgId: auth.orgId, userId: auth.userId });
    // The admin pressed Cancel at Slack (`error=access_denied`): nothing to store.
    if (typeof query.error === 'string') return { declined: query.error.slice(0, 100) };
    if (typeof query.code !== 'string' || query.code.length === 0) throw new SlackError(SlackErrorCode.OAuthFailed, 'Slack sent no code');
    const access = await this.slack
      .client()
      .oauth.v2.access({
        client_id: this.config.env.SLACK_CLIENT_ID!,
        client_secret: this.config.env.SLACK_CLIENT_SECRET!,
        code: query.code,
        redirect_uri: this.redirectUri(),
      })
      .catch((err: unknown) => {
        throw new SlackError(SlackErrorCode.OAuthFailed, `Slack refused the code: ${slackErrorName(err)}`);
      });
    if (!access.access_token || access.token_type !== 'bot') throw new SlackError(SlackErrorCode.OAuthFailed, 'Slack returned no bot token');
    // oauth.v2.access does not name the bot id (needed to drop our own messages): auth.test does.
    const bot = await this.whoAmI(this.slack.client(access.access_token), SlackErrorCode.OAuthFailed);
    const installed = await this.store(auth.orgId, auth.actor, {
      teamId: access.team?.id ?? bot.teamId,
      teamName: access.team?.name ?? bot.teamName,
      enterpriseId: access.enterprise?.id ?? null,
      appId: access.app_id ?? null,
      botUserId: access.bot_user_id ?? bot.botUserId,
      botId: bot.botId,
      botTokenSealed: this.secrets.seal(access.access_token, auth.orgId),
      botScopes: (access.scope ?? '').split(',').filter(Boolean),
      signingSecretSealed: null,
      method: 'oauth',
      defaultGroupId: null,
      installedBy: auth.userId,
    });
    return { installed };
  }

  async setDefaultGroup(auth: AuthContext, id: string, groupId: string | null): Promise<SlackInstallationView> {
    if (groupId) await this.groups.get(auth, groupId);
    return this.db.withOrg(auth.orgId, async (tx) => {
      const before = await this.requireLive(tx, id, true);
      const after = await this.repo.setDefaultGroup(tx, id, groupId);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.SlackSettingsUpdated,
        target: { type: 'slack_installation', id },
        data: { teamId: after.teamId, from: { defaultGroupId: before.defaultGroupId }, to: { defaultGroupId: groupId } },
      });
      return view(after);
    });
  }

  /** Disconnect: the installation is revoked, its links go; then Slack is asked to revoke the token. */
  async disconnect(auth: AuthContext, id: string): Promise<void> {
    const row = await this.db.withOrg(auth.orgId, async (tx) => {
      const live = await this.requireLive(tx, id, true);
      const unlinked = await this.repo.deleteLinksOf(tx, id);
      await this.repo.revoke(tx, id);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.SlackDisconnected,
        target: { type: 'slack_installation', id },
        data: { teamId: live.teamId, teamName: live.teamName, unlinkedChannels: unlinked },
      });
      return live;
    });
    try {
      await this.slack.client(this.secrets.open(row.botTokenSealed, row.orgId)).auth.revoke();
    } catch (err) {
      this.log.warn({ installationId: id, error: slackErrorName(err) }, 'slack token not revoked at Slack (disconnected here anyway)');
    }
  }

  async revokedBySlack(orgId: string, installationId: string, reason: 'app_uninstalled' | 'tokens_revoked'): Promise<void> {
    await this.db.withOrg(orgId, async (tx) => {
      const row = await this.repo.find(tx, installationId, true);
      if (!row || row.revokedAt) return;
      const unlinked = await this.repo.deleteLinksOf(tx, installationId);
      await this.repo.revoke(tx, installationId);
      await this.audit.record(tx, systemActor(), {
        action: AuditAction.SlackDisconnected,
        target: { type: 'slack_installation', id: installationId },
        data: { teamId: row.teamId, teamName: row.teamName, unlinkedChannels: unlinked, reason },
      });
    });
  }

  private redirectUri(): string {
    return `${this.config.publicUrl}/integrations/slack/oauth/callback`;
  }

  private async whoAmI(client: WebClient, failure: SlackErrorCode): Promise<BotIdentity> {
    const me = await client.auth.test().catch((err: unknown) => {
      throw new SlackError(failure, `Slack did not accept the token: ${slackErrorName(err)}`);
    });
    if (!me.team_id) throw new SlackError(failure, 'Slack did not name the workspace of this token');
    return { teamId: me.team_id, teamName: me.team ?? null, botUserId: me.user_id ?? null, botId: me.bot_id ?? null };
  }

  /** Inserts, or replaces this org's live installation of the same team; a team live in another org is 409. */
  private async store(orgId: string, actor: Actor, input: SlackInstallationInput): Promise<SlackInstallationView> {
    const owner = await this.db.unscoped((tx) => this.repo.forTeam(tx, input.teamId));
    if (owner && owner.orgId !== orgId) throw teamElsewhere();
    try {
      return await this.db.withOrg(orgId, async (tx) => {
        const existing = await this.repo.findLiveByTeam(tx, input.teamId);
        const row = existing ? await this.repo.replace(tx, existing.id, input) : await this.repo.insert(tx, input);
        await this.audit.record(tx, actor, {
          action: AuditAction.SlackInstalled,
          target: { type: 'slack_installation', id: row.id },
          data: { teamId: row.teamId, teamName: row.teamName, method: row.method, reconnected: existing !== null, scopes: row.botScopes },
        });
        return view(row);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'slack_installation_team_key')) throw teamElsewhere();
      throw error;
    }
  }
}

const teamElsewhere = () =>
  new SlackError(SlackErrorCode.TeamConnectedElsewhere, 'This Slack workspace is already connected to another organisation; disconnect it there first');

/** Slack's error code (`invalid_auth`, `ratelimited`…) without anything the request carried. */
export function slackErrorName(err: unknown): string {
  const e = err as { code?: string; data?: { error?: string } };
  return e.data?.error ?? e.code ?? 'request_failed';
}

function view(r: SlackInstallationRow): SlackInstallationView {
  return {
    id: r.id,
    teamId: r.teamId,
    teamName: r.teamName,
    enterpriseId: r.enterpriseId,
    appId: r.appId,
    botUserId: r.botUserId,
    botId: r.botId,
    botScopes: r.botScopes,
    method: r.method,
    ownSigningSecret: r.signingSecretSealed !== null,
    defaultGroupId: r.defaultGroupId,
    installedBy: r.installedBy,
    installedAt: r.installedAt,
    revokedAt: r.revokedAt,
  };
}
