import { Injectable } from '@nestjs/common';
import type { OrgTx, UnscopedTx } from '../../../src/tenancy/tenant-database.js';

export type SlackInstallMethod = 'oauth' | 'token';

export interface SlackInstallationRow {
  orgId: string;
  id: string;
  teamId: string;
  teamName: string | null;
  enterpriseId: string | null;
  appId: string | null;
  botUserId: string | null;
  botId: string | null;
  botTokenSealed: string;
  botScopes: string[];
  signingSecretSealed: string | null;
  method: SlackInstallMethod;
  defaultGroupId: string | null;
  installedBy: string | null;
  installedAt: Date;
  revokedAt: Date | null;
}

/** What connecting a workspace writes (a reconnect of the same team replaces all of it). */
export type SlackInstallationInput = Omit<SlackInstallationRow, 'orgId' | 'id' | 'installedAt' | 'revokedAt'>;

export interface SlackChannelLinkRow {
  installationId: string;
  teamId: string;
  channelId: string;
  channelName: string | null;
  groupId: string;
  createdBy: string | null;
  createdAt: Date;
}

const INSTALLATION = `org_id AS "orgId", id, team_id AS "teamId", team_name AS "teamName", enterprise_id AS "enterpriseId",
  app_id AS "appId", bot_user_id AS "botUserId", bot_id AS "botId", bot_token_sealed AS "botTokenSealed", bot_scopes AS "botScopes",
  signing_secret_sealed AS "signingSecretSealed", method, default_group_id AS "defaultGroupId", installed_by AS "installedBy",
  installed_at AS "installedAt", revoked_at AS "revokedAt"`;

const LINK = `l.installation_id AS "installationId", i.team_id AS "teamId", l.channel_id AS "channelId", l.channel_name AS "channelName",
  l.group_id AS "groupId", l.created_by AS "createdBy", l.created_at AS "createdAt"`;

/** slack_installation and slack_channel_link: the SQL, nothing else. */
@Injectable()
export class SlackInstallationRepository {
  /** The one cross-org read (SECURITY DEFINER): which org a Slack team belongs to. */
  async forTeam(tx: UnscopedTx, teamId: string): Promise<{ orgId: string; installationId: string; signingSecretSealed: string | null } | null> {
    const rows = await tx.query<{ orgId: string; installationId: string; signingSecretSealed: string | null }>(
      `SELECT org_id AS "orgId", installation_id AS "installationId", signing_secret_sealed AS "signingSecretSealed"
       FROM slack_installation_for_team($1)`,
      [teamId],
    );
    return rows[0] ?? null;
  }

  async find(tx: OrgTx, id: string, forUpdate = false): Promise<SlackInstallationRow | null> {
    const rows = await tx.query<SlackInstallationRow>(
      `SELECT ${INSTALLATION} FROM slack_installation WHERE org_id = $1 AND id = $2 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  async findLiveByTeam(tx: OrgTx, teamId: string): Promise<SlackInstallationRow | null> {
    const rows = await tx.query<SlackInstallationRow>(
      `SELECT ${INSTALLATION} FROM slack_installation WHERE org_id = $1 AND team_id = $2 AND revoked_at IS NULL FOR UPDATE`,
      [tx.orgId, teamId],
    );
    return rows[0] ?? null;
  }

  /** Live installations first, then disconnected ones; newest first. */
  async list(tx: OrgTx): Promise<SlackInstallationRow[]> {
    return tx.query<SlackInstallationRow>(
      `SELECT ${INSTALLATION} FROM slack_installation WHERE org_id = $1 ORDER BY revoked_at IS NOT NULL, installed_at DESC, id`,
      [tx.orgId],
    );
  }

  async insert(tx: OrgTx, i: SlackInstallationInput): Promise<SlackInstallationRow> {
    const rows = await tx.query<SlackInstallationRow>(
      `INSERT INTO slack_installation (org_id, team_id, team_name, enterprise_id, app_id, bot_user_id, bot_id, bot_token_sealed,
         bot_scopes, signing_secret_sealed, method, default_group_id, installed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${INSTALLATION}`,
      [tx.orgId, i.teamId, i.teamName, i.enterpriseId, i.appId, i.botUserId, i.botId, i.botTokenSealed, i.botScopes, i.signingSecretSealed, i.method, i.defaultGroupId, i.installedBy],
    );
    return rows[0];
  }

  /** A reconnect of a live installation: new token, secret and bot identity; links stay. */
  async replace(tx: OrgTx, id: string, i: SlackInstallationInput): Promise<SlackInstallationRow> {
    const rows = await tx.query<SlackInstallationRow>(
      `UPDATE slack_installation SET team_name = $3, enterprise_id = $4, app_id = $5, bot_user_id = $6, bot_id = $7, bot_token_sealed = $8,
         bot_scopes = $9, signing_secret_sealed = $10, method = $11, default_group_id = $12, installed_by = $13, installed_at = now()
       WHERE org_id = $1 AND id = $2 RETURNING ${INSTALLATION}`,
      [tx.orgId, id, i.teamName, i.enterpriseId, i.appId, i.botUserId, i.botId, i.botTokenSealed, i.botScopes, i.signingSecretSealed, i.method, i.defaultGroupId, i.installedBy],
    );
    return rows[0];
  }

  async setDefaultGroup(tx: OrgTx, id: string, groupId: string | null): Promise<SlackInstallationRow> {
    const rows = await tx.query<SlackInstallationRow>(
      `UPDATE slack_installation SET default_group_id = $3 WHERE org_id = $1 AND id = $2 RETURNING ${INSTALLATION}`,
      [tx.orgId, id, groupId],
    );
    return rows[0];
  }

  async revoke(tx: OrgTx, id: string): Promise<void> {
    await tx.query(`UPDATE slack_installation SET revoked_at = now() WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, [tx.orgId, id]);
  }

  async links(tx: OrgTx): Promise<SlackChannelLinkRow[]> {
    return tx.query<SlackChannelLinkRow>(
      `SELECT ${LINK} FROM slack_channel_link l JOIN slack_installation i ON i.org_id = l.org_id AND i.id = l.installation_id
       WHERE l.org_id = $1 ORDER BY l.created_at, l.channel_id`,
      [tx.orgId],
    );
  }

  /** Channels of live installations linked to a group (slack_channel_link_group_idx). */
  async linksOfGroup(tx: OrgTx, groupId: string): Promise<SlackChannelLinkRow[]> {
    return tx.query<SlackChannelLinkRow>(
      `SELECT ${LINK} FROM slack_channel_link l JOIN slack_installation i ON i.org_id = l.org_id AND i.id = l.installation_id
       WHERE l.org_id = $1 AND l.group_id = $2 AND i.revoked_at IS NULL ORDER BY l.installation_id, l.channel_id`,
      [tx.orgId, groupId],
    );
  }

  async findLink(tx: OrgTx, installationId: string, channelId: string, forUpdate = false): Promise<SlackChannelLinkRow | null> {
    const rows = await tx.query<SlackChannelLinkRow>(
      `SELECT ${LINK} FROM slack_channel_link l JOIN slack_installation i ON i.org_id = l.org_id AND i.id = l.installation_id
       WHERE l.org_id = $1 AND l.installation_id = $2 AND l.channel_id = $3 ${forUpdate ? 'FOR UPDATE OF l' : ''}`,
      [tx.orgId, installationId, channelId],
    );
    return rows[0] ?? null;
  }

  async upsertLink(tx: OrgTx, l: { installationId: string; channelId: string; channelName: string | null; groupId: string; createdBy: string | null }): Promise<void> {
    await tx.query(
      `INSERT INTO slack_channel_link (org_id, installation_id, channel_id, channel_name, group_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ON CONSTRAINT slack_channel_link_pkey
       DO UPDATE SET channel_name = coalesce(EXCLUDED.channel_name, slack_channel_link.channel_name), group_id = EXCLUDED.group_id,
         created_by = EXCLUDED.created_by, created_at = now()`,
      [tx.orgId, l.installationId, l.channelId, l.channelName, l.groupId, l.createdBy],
    );
  }

  async deleteLink(tx: OrgTx, installationId: string, channelId: string): Promise<void> {
    await tx.query(`DELETE FROM slack_channel_link WHERE org_id = $1 AND installation_id = $2 AND channel_id = $3`, [tx.orgId, installationId, channelId]);
  }

  /** Removes every link of an installation; returns the channels that were linked. */
  async deleteLinksOf(tx: OrgTx, installationId: string): Promise<string[]> {
    const rows = await tx.query<{ channelId: string }>(
      `DELETE FROM slack_channel_link WHERE org_id = $1 AND installation_id = $2 RETURNING channel_id AS "channelId"`,
      [tx.orgId, installationId],
    );
    return rows.map((r) => r.channelId);
  }
}
