import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { DomainError } from '../../common/domain-error.js';
import { SecretBox } from '../../sso/oidc/secret-box.js';
import { TenantDatabase } from '../../tenancy/tenant-database.js';
import type { ManifestSigner } from './bundle/bundle.types.js';
import { ExportRepository } from './export.repository.js';

export interface ExportKeyView {
  algorithm: 'Ed25519';
  publicKeyPem: string;
  /** SHA-256 of the raw 32-byte public key, hex. */
  fingerprint: string;
  createdAt: Date;
}

/** SHA-256 of the raw Ed25519 public key (the last 32 bytes of its SPKI DER). */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der.subarray(der.length - 32)).digest('hex');
}

/**
 * Each org's Ed25519 export key: made on first use, the private half sealed with SECRETS_KEY
 * (AES-256-GCM, bound to the org), the public half published at /api/v1/compliance/export-key.
 */
@Injectable()
export class ExportSigningService {
  constructor(
    private readonly repo: ExportRepository,
    private readonly db: TenantDatabase,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  /** Refuses early (before an export is queued) when keys could not be sealed or opened. */
  assertConfigured(): void {
    if (!this.config.env.SECRETS_KEY) {
      throw new DomainError(503, 'secrets_key_missing', 'SECRETS_KEY is not set: the server cannot keep an export signing key (set 32 bytes as base64 or hex)');
    }
  }

  async publicKey(orgId: string): Promise<ExportKeyView> {
    const row = await this.ensure(orgId);
    return { algorithm: 'Ed25519', publicKeyPem: row.publicKey, fingerprint: row.fingerprint, createdAt: row.createdAt };
  }

  async signer(orgId: string): Promise<ManifestSigner> {
    const row = await this.ensure(orgId);
    const privateKey = createPrivateKey(this.box.open(row.privateKeySealed, orgId));
    return { fingerprint: row.fingerprint, publicKeyPem: row.publicKey, sign: (data: Buffer) => sign(null, data, privateKey) };
  }

  private async ensure(orgId: string) {
    this.assertConfigured();
    return this.db.withOrg(orgId, async (tx) => {
      const existing = await this.repo.signingKey(tx);
      if (existing) return existing;
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await this.repo.insertSigningKey(tx, {
        publicKey: publicPem,
        privateKeySealed: this.box.seal(privatePem, orgId),
        fingerprint: keyFingerprint(publicPem),
      });
      return (await this.repo.signingKey(tx))!;
    });
  }
}
