import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '../identity/auth-context.js';
import { OrgService } from '../tenancy/org.service.js';
import { TenantDatabase } from '../tenancy/tenant-database.js';
import { OidcConfigRepository } from './oidc/oidc-config.repository.js';
import { SamlConfigRepository } from './saml/saml-config.repository.js';

export interface SignInOptions {
  org: { slug: string; name: string } | null;
  /** Where "Sign in with your company" goes, per protocol, when the org has it enabled. */
  saml: { loginUrl: string } | null;
  oidc: { loginUrl: string } | null;
  /** False when SAML is required (only break-glass users may still use a password). */
  passwordForEveryone: boolean;
}

/** What the sign-in page offers for an org. Public: it reveals only whether SSO is on. */
@ApiTags('auth')
@Public()
@Controller('api/v1/auth/sign-in-options')
export class SignInOptionsController {
  constructor(
    private readonly orgs: OrgService,
    private readonly saml: SamlConfigRepository,
    private readonly oidc: OidcConfigRepository,
    private readonly db: TenantDatabase,
  ) {}

  @Get()
  @ApiOperation({ summary: "The sign-in methods of an org (by slug): SSO login URLs and whether passwords are open to everyone" })
  @ApiQuery({ name: 'org', required: true })
  async options(@Query('org') slug?: string): Promise<SignInOptions> {
    const org = typeof slug === 'string' ? await this.orgs.findBySlug(slug.trim()) : null;
    if (!org) return { org: null, saml: null, oidc: null, passwordForEveryone: true };
    const [saml, oidc] = await this.db.withOrg(org.id, async (tx) => [await this.saml.get(tx), await this.oidc.get(tx)] as const);
    const path = (protocol: string) => `/auth/${protocol}/${encodeURIComponent(org.slug)}/login`;
    return {
      org: { slug: org.slug, name: org.name },
      saml: saml?.enabled ? { loginUrl: path('saml') } : null,
      oidc: oidc?.enabled ? { loginUrl: path('oidc') } : null,
      passwordForEveryone: !(saml?.enabled && saml.ssoRequired),
    };
  }
}
