import { Injectable } from '@nestjs/common';
import type { webApi } from '@slack/bolt';
import { bridgeAuth, type AuthContext } from '../../../src/identity/auth-context.js';
import { UserService } from '../../../src/identity/user.service.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { SlackError, SlackErrorCode } from '../slack-error.js';
import { SlackUserRepository } from './slack-user.repository.js';

/** users.info is rate-limited (tier 4); a Slack user's email is re-read at most this often. */
const EMAIL_CACHE_SECONDS = 60 * 60;

export const UNKNOWN_USER_MESSAGE =
  'Chorus has no active account with the email address of your Slack profile, so nothing was posted. Ask a Chorus admin to invite you with that address.';
export const DEACTIVATED_USER_MESSAGE = 'Your Chorus account is deactivated, so nothing was posted.';

/**
 * Who is posting: a Slack user is the active Chorus user of the org with the same email (Slack
 * verifies the addresses it shows). The email is cached in slack_user; the Chorus account and its
 * status are read every time, so a deactivation takes effect at once.
 */
@Injectable()
export class SlackAuthors {
  constructor(
    private readonly users: UserService,
    private readonly slackUsers: SlackUserRepository,
    private readonly db: TenantDatabase,
  ) {}

  async resolve(orgId: string, teamId: string, slackUserId: string, client: webApi.WebClient, requestId: string): Promise<AuthContext> {
    const email = await this.emailOf(orgId, teamId, slackUserId, client);
    const user = email ? await this.users.findByEmail(orgId, email) : null;
    if (!user) throw new SlackError(SlackErrorCode.UserUnknown, UNKNOWN_USER_MESSAGE);
    if (user.status !== 'active') throw new SlackError(SlackErrorCode.UserDeactivated, DEACTIVATED_USER_MESSAGE);
    await this.db.withOrg(orgId, (tx) => this.slackUsers.setUser(tx, teamId, slackUserId, user.id));
    return bridgeAuth(orgId, user, requestId);
  }

  private async emailOf(orgId: string, teamId: string, slackUserId: string, client: webApi.WebClient): Promise<string | null> {
    const cached = await this.db.withOrg(orgId, (tx) => this.slackUsers.fresh(tx, teamId, slackUserId, EMAIL_CACHE_SECONDS));
    if (cached) return cached.email;
    const info = await client.users.info({ user: slackUserId }).catch((error: { data?: { error?: string } }) => {
      // A user Slack does not know is an unknown author, not a reason to retry.
      if (error.data?.error === 'user_not_found') return null;
      throw error;
    });
    const profile = info?.user;
    const email = profile && !profile.deleted && !profile.is_bot ? (profile.profile?.email ?? null) : null;
    await this.db.withOrg(orgId, (tx) => this.slackUsers.upsert(tx, teamId, slackUserId, email, null));
    return email;
  }
}
