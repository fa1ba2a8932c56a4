import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound } from '../../common/domain-error.js';
import { CurrentAuth, Roles, type AuthContext } from '../../identity/auth-context.js';
import { OrgService } from '../../tenancy/org.service.js';
import { PutOidcConfigDto } from './dto/oidc-config.dto.js';
import { DEFAULT_SCOPES, OidcConfigService } from './oidc-config.service.js';

@ApiTags('sso')
@Controller('api/v1/admin/sso/oidc')
@Roles('admin')
export class OidcAdminController {
  constructor(
    private readonly configs: OidcConfigService,
    private readonly orgs: OrgService,
  ) {}

  @Get()
  @ApiOperation({ summary: "This org's OIDC settings (never the client secret) and the redirect URI to register at the provider" })
  async get(@CurrentAuth() auth: AuthContext) {
    return this.configs.view(auth.orgId, await this.slug(auth));
  }

  @Put()
  @ApiOperation({ summary: 'Replace the OIDC settings (audited with before and after, without the secret)' })
  async put(@CurrentAuth() auth: AuthContext, @Body() body: PutOidcConfigDto) {
    return this.configs.put(auth.orgId, await this.slug(auth), auth.actor, {
      enabled: body.enabled,
      issuerUrl: body.issuerUrl.trim(),
      clientId: body.clientId.trim(),
      clientSecret: body.clientSecret,
      scopes: body.scopes ?? DEFAULT_SCOPES,
      claimMapping: { ...(body.claimMapping ?? {}) },
      jit: body.jit,
      defaultRole: body.defaultRole ?? 'member',
    });
  }

  private async slug(auth: AuthContext): Promise<string> {
    const org = await this.orgs.get(auth.orgId);
    if (!org) throw notFound('Organisation');
    return org.slug;
  }
}
