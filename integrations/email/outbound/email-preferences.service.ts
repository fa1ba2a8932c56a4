import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../../../src/identity/auth-context.js';
import { TenantDatabase } from '../../../src/tenancy/tenant-database.js';
import { EmailPreferenceRepository, type EmailPreferences } from './email-preference.repository.js';
import { UnsubscribeTokens, type UnsubscribeKind } from './email-unsubscribe-token.js';

const OFF: Record<UnsubscribeKind, Partial<EmailPreferences>> = {
  mentions: { mentions: false },
  replies: { replies: false },
  digest: { digest: false },
  all: { mentions: false, replies: false, digest: false },
};

/** Which emails a user gets: set by the user, or turned off from an email's unsubscribe link. */
@Injectable()
export class EmailPreferencesService {
  constructor(
    private readonly prefs: EmailPreferenceRepository,
    private readonly tokens: UnsubscribeTokens,
    private readonly db: TenantDatabase,
  ) {}

  async get(auth: AuthContext): Promise<EmailPreferences> {
    return this.db.withOrg(auth.orgId, (tx) => this.prefs.get(tx, auth.userId));
  }

  async update(auth: AuthContext, changes: Partial<EmailPreferences>): Promise<EmailPreferences> {
    return this.db.withOrg(auth.orgId, (tx) => this.prefs.upsert(tx, auth.userId, changes));
  }

  /** Checks an unsubscribe token without changing anything (the GET page). */
  check(token: unknown): UnsubscribeKind {
    return this.tokens.verify(token).kind;
  }

  /** One-click unsubscribe: turns that kind of email off for the token's user. */
  async unsubscribe(token: unknown): Promise<UnsubscribeKind> {
    const grant = this.tokens.verify(token);
    await this.db.withOrg(grant.orgId, (tx) => this.prefs.upsert(tx, grant.userId, OFF[grant.kind]));
    return grant.kind;
  }
}
