/**
 * The contract between the two halves of the Slack bridge: `connections/` (installations,
 * channel links, admin API, mirroring to Slack) implements these; `inbound/` (events, commands,
 * interactivity) uses them.
 */

/** An installation as the inbound side needs it; the bot token is decrypted. */
export interface SlackInstallationRecord {
  orgId: string;
  id: string;
  teamId: string;
  teamName: string | null;
  botUserId: string | null;
  botId: string | null;
  botToken: string;
  defaultGroupId: string | null;
}

/** Resolves who a Slack delivery is for. */
export abstract class SlackInstallations {
  /**
   * The live installation of a Slack workspace, across orgs (a team belongs to one org), with
   * the signing secret to verify its requests: its own (single-workspace token setup) or null
   * for the app's SLACK_SIGNING_SECRET.
   */
  abstract forTeam(teamId: string): Promise<{ orgId: string; installationId: string; signingSecret: string | null } | null>;

  abstract get(orgId: string, installationId: string): Promise<SlackInstallationRecord | null>;

  /** Slack told us the app was uninstalled or its bot token revoked: disconnect (links go), audited. */
  abstract revokedBySlack(orgId: string, installationId: string, reason: 'app_uninstalled' | 'tokens_revoked'): Promise<void>;
}

/** Channel ↔ group links. */
export abstract class SlackLinks {
  /** The group a channel of this installation is linked to, or null. */
  abstract groupOf(orgId: string, installationId: string, channelId: string): Promise<string | null>;

  /**
   * Links (or re-links) a channel to a group on behalf of a Chorus user, who must be an admin or
   * an owner of the group; audited. Throws DomainError (403/404) otherwise.
   */
  abstract link(orgId: string, byUserId: string, installationId: string, channelId: string, channelName: string | null, groupId: string): Promise<void>;
}
