import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, secretsKeyBytes } from '../../config/app-config.js';
import { OidcError, OidcErrorCode } from './oidc-error.js';

const VERSION = 'v1';

/**
 * Secrets at rest (OIDC client secrets) under AES-256-GCM with SECRETS_KEY:
 * `v1.<iv>.<tag>.<ciphertext>` in base64url. The org id is bound as associated data, so a
 * ciphertext copied into another org's row does not decrypt.
 */
@Injectable()
export class SecretBox {
  constructor(private readonly config: AppConfig) {}

  seal(plain: string, orgId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(), iv);
    cipher.setAAD(Buffer.from(orgId));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string, orgId: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('Unknown sealed-secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key(), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(orgId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  private key(): Buffer {
    const raw = this.config.env.SECRETS_KEY;
    const key = raw ? secretsKeyBytes(raw) : null;
    if (!key) {
      throw new OidcError(OidcErrorCode.SecretsKeyMissing, 'SECRETS_KEY is not set: the server cannot store or read secrets (OIDC client secrets, Slack tokens, export keys); set 32 bytes as base64 or hex');
    }
    return key;
  }
}
