import { Injectable } from '@nestjs/common';
import { decodeCursor, toPage, type Page } from '../common/cursor.js';
import { badRequest, notFound } from '../common/domain-error.js';
import { AuditAction, AuditService } from '../audit/audit.service.js';
import { TenantDatabase, type OrgTx } from '../tenancy/tenant-database.js';
import type { AuthContext } from './auth-context.js';
import type { Actor } from '../common/actor.js';
import { CredentialRepository, type ApiTokenRow } from './credential.repository.js';
import { newSecret, sha256 } from './secrets.js';

export const TOKEN_PREFIX = 'chorus_';

export type ApiTokenView = Omit<ApiTokenRow, 'userId'>;

export interface CreatedToken extends ApiTokenView {
  /** The secret, shown once; only its SHA-256 is stored. */
  token: string;
}

/** Personal API tokens: `chorus_` + 43 random characters; the first 12 stay visible as the prefix. */
@Injectable()
export class TokenService {
  constructor(
    private readonly credentials: CredentialRepository,
    private readonly audit: AuditService,
    private readonly db: TenantDatabase,
  ) {}

  async create(orgId: string, actor: Actor, userId: string, name: string, expiresAt: Date | null): Promise<CreatedToken> {
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw badRequest('invalid_expiry', 'expiresAt must be in the future');
    return this.db.withOrg(orgId, (tx) => this.createInTx(tx, actor, userId, name, expiresAt));
  }

  async createInTx(tx: OrgTx, actor: Actor, userId: string, name: string, expiresAt: Date | null): Promise<CreatedToken> {
    const token = `${TOKEN_PREFIX}${newSecret()}`;
    const row = await this.credentials.insertToken(tx, { userId, name, prefix: token.slice(0, 12), hash: sha256(token), expiresAt });
    await this.audit.record(tx, actor, {
      action: AuditAction.TokenCreated,
      target: { type: 'api_token', id: row.id },
      data: { name, prefix: row.prefix, userId, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { ...tokenView(row), token };
  }

  async list(auth: AuthContext, limit: number, cursor?: string): Promise<Page<ApiTokenView>> {
    const key = decodeCursor(cursor, 2);
    const rows = await this.db.withOrg(auth.orgId, (tx) =>
      this.credentials.listTokens(tx, auth.userId, key ? [String(key[0]), String(key[1])] : null, limit + 1),
    );
    return toPage(rows, limit, (t) => [t.cursorKey, t.id], ({ cursorKey: _k, ...t }) => tokenView(t));
  }

  /** Owners revoke their own tokens; admins any token in the org. */
  async revoke(auth: AuthContext, id: string): Promise<void> {
    await this.db.withOrg(auth.orgId, async (tx) => {
      const token = await this.credentials.findToken(tx, id);
      if (!token || (token.userId !== auth.userId && auth.role !== 'admin')) throw notFound('Token');
      if (token.revokedAt) return;
      await this.credentials.revokeToken(tx, id);
      await this.audit.record(tx, auth.actor, { action: AuditAction.TokenRevoked, target: { type: 'api_token', id }, data: { userId: token.userId } });
    });
  }
}

function tokenView(row: ApiTokenRow): ApiTokenView {
  const { userId: _userId, ...rest } = row;
  return rest;
}
