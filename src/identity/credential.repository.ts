import { Injectable } from '@nestjs/common';
import type { OrgTx, UnscopedTx } from '../tenancy/tenant-database.js';

export interface Principal {
  orgId: string;
  userId: string;
  role: 'member' | 'admin' | 'compliance';
  sessionId: string | null;
  tokenId: string | null;
  lastSeenAt: Date | null;
  lastUsedAt: Date | null;
}

export interface SessionRow {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** What a session started by the SAML ACS remembers of the assertion (for single logout). */
export interface SamlSessionLink {
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
}

export interface ApiTokenRow {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const SESSION_COLUMNS = `id, user_id AS "userId", created_at AS "createdAt", last_seen_at AS "lastSeenAt",
  expires_at AS "expiresAt", ip, user_agent AS "userAgent"`;
const TOKEN_COLUMNS = `id, user_id AS "userId", name, prefix, created_at AS "createdAt", expires_at AS "expiresAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** Sessions and API tokens: both are hashed bearer secrets bound to one user of one org. */
@Injectable()
export class CredentialRepository {
  /** The user behind a live credential (active users only), in one statement. */
  async principal(tx: UnscopedTx, kind: 'session' | 'token', hash: Buffer): Promise<Principal | null> {
    const rows = await tx.query<Principal>(
      `SELECT org_id AS "orgId", user_id AS "userId", role, session_id AS "sessionId", token_id AS "tokenId",
              last_seen_at AS "lastSeenAt", last_used_at AS "lastUsedAt"
       FROM auth_principal($1, $2)`,
      [kind, hash],
    );
    return rows[0] ?? null;
  }

  async insertSession(tx: OrgTx, s: { userId: string; hash: Buffer; expiresAt: Date; ip: string | null; userAgent: string | null; saml?: SamlSessionLink | null }) {
    const rows = await tx.query<SessionRow>(
      `INSERT INTO user_session (org_id, user_id, token_hash, expires_at, ip, user_agent, saml_name_id, saml_name_id_format, saml_session_index)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${SESSION_COLUMNS}`,
      [tx.orgId, s.userId, s.hash, s.expiresAt, s.ip, s.userAgent, s.saml?.nameId ?? null, s.saml?.nameIdFormat ?? null, s.saml?.sessionIndex ?? null],
    );
    return rows[0];
  }

  /** The SAML NameID and SessionIndex a session was started with; null when it was not started by SAML. */
  async samlLink(tx: OrgTx, sessionId: string): Promise<SamlSessionLink | null> {
    const rows = await tx.query<SamlSessionLink>(
      `SELECT saml_name_id AS "nameId", saml_name_id_format AS "nameIdFormat", saml_session_index AS "sessionIndex"
       FROM user_session WHERE org_id = $1 AND id = $2 AND saml_name_id IS NOT NULL`,
      [tx.orgId, sessionId],
    );
    return rows[0] ?? null;
  }

  /** Ends every live session started for this NameID (and this SessionIndex, when given). */
  async revokeSamlSessions(tx: OrgTx, nameId: string, sessionIndex: string | null): Promise<{ id: string; userId: string }[]> {
    return tx.query<{ id: string; userId: string }>(
      `UPDATE user_session SET revoked_at = now()
       WHERE org_id = $1 AND saml_name_id = $2 AND ($3::text IS NULL OR saml_session_index = $3) AND revoked_at IS NULL
       RETURNING id, user_id AS "userId"`,
      [tx.orgId, nameId, sessionIndex],
    );
  }

  async findSession(tx: OrgTx, id: string): Promise<SessionRow | null> {
    const rows = await tx.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM user_session WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL AND expires_at > now()`,
      [tx.orgId, id],
    );
    return rows[0] ?? null;
  }

  async listSessions(tx: OrgTx, userId: string): Promise<SessionRow[]> {
    return tx.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM user_session
       WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 200`,
      [tx.orgId, userId],
    );
  }

  /** Marks the session seen, at most once a minute to keep reads from becoming writes. */
  async touchSession(tx: OrgTx, id: string): Promise<void> {
    await tx.query(
      `UPDATE user_session SET last_seen_at = now() WHERE org_id = $1 AND id = $2 AND last_seen_at < now() - interval '1 minute'`,
      [tx.orgId, id],
    );
  }

  async revokeSession(tx: OrgTx, id: string, userId?: string): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE user_session SET revoked_at = now()
       WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL AND ($3::uuid IS NULL OR user_id = $3) RETURNING id`,
      [tx.orgId, id, userId ?? null],
    );
    return rows.length > 0;
  }

  async revokeOtherSessions(tx: OrgTx, userId: string, keepSessionId: string | null): Promise<number> {
    const rows = await tx.query(
      `UPDATE user_session SET revoked_at = now()
       WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3) RETURNING id`,
      [tx.orgId, userId, keepSessionId],
    );
    return rows.length;
  }

  /** Kills every live session and token of a user; returns how many of each. */
  async revokeAllForUser(tx: OrgTx, userId: string): Promise<{ sessions: number; tokens: number }> {
    const sessions = await tx.query(
      `UPDATE user_session SET revoked_at = now() WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
      [tx.orgId, userId],
    );
    const tokens = await tx.query(
      `UPDATE api_token SET revoked_at = now() WHERE org_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id`,
      [tx.orgId, userId],
    );
    return { sessions: sessions.length, tokens: tokens.length };
  }

  async insertToken(tx: OrgTx, t: { userId: string; name: string; prefix: string; hash: Buffer; expiresAt: Date | null }) {
    const rows = await tx.query<ApiTokenRow>(
      `INSERT INTO api_token (org_id, user_id, name, prefix, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TOKEN_COLUMNS}`,
      [tx.orgId, t.userId, t.name, t.prefix, t.hash, t.expiresAt],
    );
    return rows[0];
  }

  async findToken(tx: OrgTx, id: string): Promise<ApiTokenRow | null> {
    const rows = await tx.query<ApiTokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_token WHERE org_id = $1 AND id = $2`, [tx.orgId, id]);
    return rows[0] ?? null;
  }

  /** Newest first; `cursorKey` is created_at at full precision for the keyset. */
  async listTokens(tx: OrgTx, userId: string, after: [string, string] | null, limit: number): Promise<(ApiTokenRow & { cursorKey: string })[]> {
    return tx.query<ApiTokenRow & { cursorKey: string }>(
      `SELECT ${TOKEN_COLUMNS}, created_at::text AS "cursorKey" FROM api_token
       WHERE org_id = $1 AND user_id = $2 AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [tx.orgId, userId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  async touchToken(tx: OrgTx, id: string): Promise<void> {
    await tx.query(
      `UPDATE api_token SET last_used_at = now()
       WHERE org_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [tx.orgId, id],
    );
  }

  async revokeToken(tx: OrgTx, id: string): Promise<void> {
    await tx.query(`UPDATE api_token SET revoked_at = now() WHERE org_id = $1 AND id = $2 AND revoked_at IS NULL`, [tx.orgId, id]);
  }

  /** Deletes sessions that ended more than a day ago and tokens revoked or expired 30 days ago. */
  async purgeExpired(tx: OrgTx): Promise<{ sessions: number; tokens: number }> {
    const sessions = await tx.query(
      `DELETE FROM user_session WHERE org_id = $1
         AND (expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day') RETURNING id`,
      [tx.orgId],
    );
    const tokens = await tx.query(
      `DELETE FROM api_token WHERE org_id = $1
         AND (expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days') RETURNING id`,
      [tx.orgId],
    );
    return { sessions: sessions.length, tokens: tokens.length };
  }
}
