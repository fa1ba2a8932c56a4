import { X509Certificate } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../../common/actor.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditAction, AuditService } from '../../audit/audit.service.js';
import { conflict } from '../../common/domain-error.js';
import { UserService } from '../../identity/user.service.js';
import { TenantDatabase, type OrgTx } from '../../tenancy/tenant-database.js';
import { parseIdpMetadata } from './idp-metadata.js';
import { SamlConfigRepository, type SamlConfigInput, type SamlConfigRow } from './saml-config.repository.js';
import { SamlError, SsoErrorCode } from './saml-error.js';

/** What admins see: the stored settings plus the SP values to enter at the IdP. */
export interface SamlConfigView {
  configured: boolean;
  config: Omit<SamlConfigRow, 'orgId'> | null;
  serviceProvider: ServiceProviderUrls;
}

/** Our side of the trust for one org: entity id and the URLs the IdP talks to. */
export interface ServiceProviderUrls {
  entityId: string;
  acsUrl: string;
  metadataUrl: string;
  loginUrl: string;
  /** Single logout service: where the IdP sends LogoutRequests and LogoutResponses. */
  sloUrl: string;
  /** SP-initiated single logout: ends the Chorus session, then goes to the IdP. */
  logoutUrl: string;
}

@Injectable()
export class SamlConfigService {
  constructor(
    private readonly repo: SamlConfigRepository,
    private readonly db: TenantDatabase,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly users: UserService,
  ) {}

  serviceProvider(orgSlug: string, config: Pick<SamlConfigRow, 'spEntityId'> | null): ServiceProviderUrls {
    const base = `${this.config.publicUrl}/auth/saml/${encodeURIComponent(orgSlug)}`;
    return { entityId: config?.spEntityId ?? `${base}/metadata`, acsUrl: `${base}/acs`, metadataUrl: `${base}/metadata`, loginUrl: `${base}/login`, sloUrl: `${base}/slo`, logoutUrl: `${base}/logout` };
  }

  async find(tx: OrgTx): Promise<SamlConfigRow | null> {
    return this.repo.get(tx);
  }

  async view(orgId: string, orgSlug: string): Promise<SamlConfigView> {
    const row = await this.db.withOrg(orgId, (tx) => this.repo.get(tx));
    return this.toView(orgSlug, row);
  }

  /** Replaces the whole configuration; audited with the before and after values (certificates by fingerprint). */
  async put(orgId: string, orgSlug: string, actor: Actor, input: SamlConfigInput): Promise<SamlConfigView> {
    const clean: SamlConfigInput = { ...input, idpCerts: input.idpCerts.map(normaliseCertificate) };
    return this.db.withOrg(orgId, async (tx) => this.save(tx, orgSlug, actor, clean, 'api'));
  }

  /** Takes entity id, endpoints and signing certificates from IdP metadata; other settings stay (new configs start disabled). */
  async importMetadata(orgId: string, orgSlug: string, actor: Actor, xml: string): Promise<SamlConfigView> {
    const metadata = parseIdpMetadata(xml);
    const certs = metadata.signingCerts.map(normaliseCertificate);
    return this.db.withOrg(orgId, async (tx) => {
      const current = await this.repo.get(tx, true);
      const next: SamlConfigInput = {
        enabled: current?.enabled ?? false,
        spEntityId: current?.spEntityId ?? null,
        attributeMapping: current?.attributeMapping ?? {},
        jit: current?.jit ?? false,
        defaultRole: current?.defaultRole ?? 'member',
        ssoRequired: current?.ssoRequired ?? false,
        allowIdpInitiated: current?.allowIdpInitiated ?? false,
        idpEntityId: metadata.entityId,
        idpSsoUrl: metadata.ssoUrl,
        idpSloUrl: metadata.sloUrl,
        idpCerts: certs,
      };
      return this.save(tx, orgSlug, actor, next, 'metadata');
    });
  }

  private async save(tx: OrgTx, orgSlug: string, actor: Actor, next: SamlConfigInput, source: 'api' | 'metadata'): Promise<SamlConfigView> {
    const before = await this.repo.get(tx, true);
    // An org that requires SSO with no admin able to use a password could lock itself out for good.
    const requiresSso = (c: SamlConfigInput | null) => c !== null && c.enabled && c.ssoRequired;
    if (requiresSso(next) && !requiresSso(before) && (await this.users.countActiveBreakGlassAdmins(tx)) === 0) {
      throw conflict('no_break_glass_admin', 'Flag at least one active admin as break-glass before requiring SSO');
    }
    const after = await this.repo.upsert(tx, next);
    await this.audit.record(tx, actor, {
      action: AuditAction.SamlConfigUpdated,
      target: { type: 'saml_config', id: tx.orgId },
      data: { source, from: before && auditShape(before), to: auditShape(after) },
    });
    return this.toView(orgSlug, after);
  }

  private toView(orgSlug: string, row: SamlConfigRow | null): SamlConfigView {
    const config = row && (({ orgId: _o, ...rest }) => rest)(row);
    return { configured: row !== null, config, serviceProvider: this.serviceProvider(orgSlug, row) };
  }
}

/** A certificate as PEM, whether pasted as PEM or bare base64; anything X.509 cannot parse is refused. */
export function normaliseCertificate(input: string): string {
  const body = input.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new SamlError(SsoErrorCode.CertificateInvalid, 'An IdP certificate is not a valid X.509 certificate');
  }
  return pem;
}

function auditShape(c: SamlConfigRow): Record<string, unknown> {
  const { orgId: _o, createdAt: _c, updatedAt: _u, idpCerts, ...rest } = c;
  return { ...rest, idpCertFingerprints: idpCerts.map((pem) => new X509Certificate(pem).fingerprint256) };
}
