import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, secretsKeyBytes } from '../../../src/config/app-config.js';
import { EmailError, EmailErrorCode } from '../email-error.js';

export type UnsubscribeKind = 'mentions' | 'replies' | 'digest' | 'all';
const KINDS: ReadonlySet<string> = new Set<UnsubscribeKind>(['mentions', 'replies', 'digest', 'all']);

export interface UnsubscribeGrant {
  orgId: string;
  userId: string;
  kind: UnsubscribeKind;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * One-click unsubscribe links (RFC 8058): `base64url(orgId.userId.kind).HMAC` under a key derived
 * from SECRETS_KEY, so the link needs no session and cannot be forged for someone else. They do
 * not expire: an old email's unsubscribe link must keep working.
 */
@Injectable()
export class UnsubscribeTokens {
  private readonly key: Buffer | null;

  constructor(private readonly config: AppConfig) {
    const secret = config.env.SECRETS_KEY ? secretsKeyBytes(config.env.SECRETS_KEY) : null;
    this.key = secret ? Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'chorus-email-unsubscribe', 32)) : null;
  }

  /** The one-click URL, or null without SECRETS_KEY. */
  url(orgId: string, userId: string, kind: UnsubscribeKind): string | null {
    if (!this.key) return null;
    const payload = Buffer.from(`${orgId}.${userId}.${kind}`).toString('base64url');
    return `${this.config.publicUrl}/email/unsubscribe?token=${payload}.${this.mac(payload).toString('base64url')}`;
  }

  get preferencesUrl(): string {
    return `${this.config.publicUrl}/api/docs#/email`;
  }

  verify(token: unknown): UnsubscribeGrant {
    const invalid = () => new EmailError(EmailErrorCode.UnsubscribeInvalid, 'This unsubscribe link is not valid; change your email preferences in Chorus instead');
    if (!this.key || typeof token !== 'string' || token.length > 300) throw invalid();
    const [payload, mac, ...rest] = token.split('.');
    if (!payload || !mac || rest.length > 0) throw invalid();
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    const [orgId, userId, kind] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
    if (!UUID.test(orgId ?? '') || !UUID.test(userId ?? '') || !KINDS.has(kind ?? '')) throw invalid();
    return { orgId, userId, kind: kind as UnsubscribeKind };
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key!).update(payload).digest();
  }
}

/** RFC 2369 List-Unsubscribe, with RFC 8058 one-click when we can sign the link. */
export function listUnsubscribeHeaders(unsubscribeUrl: string | null, preferencesUrl: string): Record<string, string> {
  return unsubscribeUrl
    ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    : { 'List-Unsubscribe': `<${preferencesUrl}>` };
}
