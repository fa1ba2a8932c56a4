import { Injectable } from '@nestjs/common';
import type { OrgTx } from '../../../src/tenancy/tenant-database.js';

export interface EmailPreferences {
  mentions: boolean;
  replies: boolean;
  digest: boolean;
}

export const DEFAULT_EMAIL_PREFERENCES: EmailPreferences = { mentions: true, replies: true, digest: false };

export interface DigestRecipient {
  userId: string;
  email: string;
  displayName: string;
}

/** The email_preference table; a user without a row has the defaults. */
@Injectable()
export class EmailPreferenceRepository {
  async get(tx: OrgTx, userId: string): Promise<EmailPreferences> {
    const rows = await tx.query<EmailPreferences>(`SELECT mentions, replies, digest FROM email_preference WHERE org_id = $1 AND user_id = $2`, [tx.orgId, userId]);
    return rows[0] ?? { ...DEFAULT_EMAIL_PREFERENCES };
  }

  /** Sets the given preferences (undefined ones stay as they are) and returns them all. */
  async upsert(tx: OrgTx, userId: string, changes: Partial<EmailPreferences>): Promise<EmailPreferences> {
    const rows = await tx.query<EmailPreferences>(
      `INSERT INTO email_preference (org_id, user_id, mentions, replies, digest)
       VALUES ($1, $2, coalesce($3, true), coalesce($4, true), coalesce($5, false))
       ON CONFLICT (org_id, user_id) DO UPDATE SET
         mentions = coalesce($3, email_preference.mentions),
         replies = coalesce($4, email_preference.replies),
         digest = coalesce($5, email_preference.digest),
         updated_at = now()
       RETURNING mentions, replies, digest`,
      [tx.orgId, userId, changes.mentions ?? null, changes.replies ?? null, changes.digest ?? null],
    );
    return rows[0];
  }

  /** Active users who asked for the digest and have not had the one for `day`. */
  async digestDue(tx: OrgTx, day: string): Promise<DigestRecipient[]> {
    return tx.query<DigestRecipient>(
      `SELECT u.id AS "userId", u.email, u.display_name AS "displayName"
       FROM email_preference ep JOIN user_account u ON u.org_id = ep.org_id AND u.id = ep.user_id
       WHERE ep.org_id = $1 AND ep.digest AND u.status = 'active' AND (ep.last_digest_on IS NULL OR ep.last_digest_on < $2::date)
       ORDER BY u.id`,
      [tx.orgId, day],
    );
  }

  /**
   * Claims `day`'s digest for the user (row locked until commit): true when it was still due,
   * so a retried or concurrent job never builds a second one.
   */
  async claimDigest(tx: OrgTx, userId: string, day: string): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE email_preference SET last_digest_on = $3::date
       WHERE org_id = $1 AND user_id = $2 AND digest AND (last_digest_on IS NULL OR last_digest_on < $3::date) RETURNING user_id`,
      [tx.orgId, userId, day],
    );
    return rows.length === 1;
  }
}
