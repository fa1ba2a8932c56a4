import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditAction, AuditService } from '../../../src/audit/audit.service.js';
import { conflict, forbidden, notFound } from '../../../src/common/domain-error.js';
import { LOGGER } from '../../../src/common/logger.module.js';
import { GroupService } from '../../../src/groups/group.service.js';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { UserService } from '../../../src/identity/user.service.js';
import { SecretBox } from '../../../src/sso/oidc/secret-box.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { SlackLinks } from '../slack.types.js';
import { slackErrorName, SlackInstallationService } from './slack-installation.service.js';
import { SlackInstallationRepository, type SlackChannelLinkRow } from './slack-installation.repository.js';
import { SlackWebApi } from './slack-web-api.js';

export type SlackChannelLinkView = SlackChannelLinkRow;

/** Who links: an admin through the API, or a Chorus user resolved from Slack (`/chorus link`). */
type Linker = Pick<AuthContext, 'orgId' | 'userId' | 'role' | 'actor'>;

/** Slack channels linked to groups: posts flow in from the channel and are mirrored out to it. */
@Injectable()
export class SlackLinkService extends SlackLinks {
  constructor(
    private readonly repo: SlackInstallationRepository,
    private readonly installations: SlackInstallationService,
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly groups: GroupService,
    private readonly users: UserService,
    private readonly secrets: SecretBox,
    private readonly slack: SlackWebApi,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    super();
  }

  async groupOf(orgId: string, installationId: string, channelId: string): Promise<string | null> {
    const link = await this.db.withOrg(orgId, (tx) => this.repo.findLink(tx, installationId, channelId));
    return link?.groupId ?? null;
  }

  async link(orgId: string, byUserId: string, installationId: string, channelId: string, channelName: string | null, groupId: string): Promise<void> {
    const user = await this.db.withOrg(orgId, (tx) => this.users.requireActive(tx, byUserId));
    await this.linkAs(
      { orgId, userId: user.id, role: user.role, actor: { type: 'user', userId: user.id, role: user.role, ip: null, requestId: null } },
      installationId,
      channelId,
      channelName,
      groupId,
    );
  }

  /** The admin API: the channel's name is asked of Slack (best effort) when not given. */
  async put(auth: AuthContext, installationId: string, channelId: string, groupId: string): Promise<SlackChannelLinkView> {
    const installation = await this.db.withOrg(auth.orgId, (tx) => this.installations.requireLive(tx, installationId));
    const name = await this.channelName(this.secrets.open(installation.botTokenSealed, installation.orgId), installationId, channelId);
    await this.linkAs(auth, installationId, channelId, name, groupId);
    return (await this.db.withOrg(auth.orgId, (tx) => this.repo.findLink(tx, installationId, channelId)))!;
  }

  async list(orgId: string): Promise<SlackChannelLinkView[]> {
    return this.db.withOrg(orgId, (tx) => this.repo.links(tx));
  }

  async unlink(auth: AuthContext, installationId: string, channelId: string): Promise<void> {
    await this.db.withOrg(auth.orgId, async (tx) => {
      const link = await this.repo.findLink(tx, installationId, channelId, true);
      if (!link) throw notFound('Slack channel link');
      await this.repo.deleteLink(tx, installationId, channelId);
      await this.audit.record(tx, auth.actor, {
        action: AuditAction.SlackChannelUnlinked,
        target: { type: 'slack_channel', id: `${link.teamId}/${channelId}` },
        data: { installationId, channelId, channelName: link.channelName, groupId: link.groupId },
      });
    });
  }

  /** Admins link any group they can see; others only groups they own. Archived groups take no links. */
  private async linkAs(by: Linker, installationId: string, channelId: string, channelName: string | null, groupId: string): Promise<void> {
    const group = await this.groups.get({ ...by, method: 'session', sessionId: null, tokenId: null }, groupId);
    if (by.role !== 'admin' && group.myRole !== 'owner') throw forbidden('Only admins and the group’s owners can link a channel to it');
    if (group.archivedAt) throw conflict('group_archived', 'The group is archived');
    await this.db.withOrg(by.orgId, async (tx) => {
      const installation = await this.installations.requireLive(tx, installationId, true);
      const before = await this.repo.findLink(tx, installationId, channelId, true);
      await this.repo.upsertLink(tx, { installationId, channelId, channelName, groupId, createdBy: by.userId });
      await this.audit.record(tx, by.actor, {
        action: AuditAction.SlackChannelLinked,
        target: { type: 'slack_channel', id: `${installation.teamId}/${channelId}` },
        data: { installationId, channelId, channelName, groupId, previousGroupId: before?.groupId ?? null },
      });
    });
  }

  private async channelName(botToken: string, installationId: string, channelId: string): Promise<string | null> {
    try {
      const info = await this.slack.client(botToken).conversations.info({ channel: channelId });
      return info.channel?.name ?? null;
    } catch (err) {
      this.log.info({ installationId, channelId, error: slackErrorName(err) }, 'slack channel name unknown (linked without it)');
      return null;
    }
  }
}
