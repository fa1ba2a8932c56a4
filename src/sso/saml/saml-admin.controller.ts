import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound } from '../../common/domain-error.js';
import { CurrentAuth, Roles, type AuthContext } from '../../identity/auth-context.js';
import { OrgService } from '../../tenancy/org.service.js';
import { ImportIdpMetadataDto, PutSamlConfigDto } from './dto/saml-config.dto.js';
import { SamlConfigService } from './saml-config.service.js';

@ApiTags('sso')
@Controller('api/v1/admin/sso/saml')
@Roles('admin')
export class SamlAdminController {
  constructor(
    private readonly configs: SamlConfigService,
    private readonly orgs: OrgService,
  ) {}

  @Get()
  @ApiOperation({ summary: "This org's SAML settings and the service-provider values to enter at the IdP" })
  async get(@CurrentAuth() auth: AuthContext) {
    return this.configs.view(auth.orgId, await this.slug(auth));
  }

  @Put()
  @ApiOperation({ summary: 'Replace the SAML settings (audited with before and after)' })
  async put(@CurrentAuth() auth: AuthContext, @Body() body: PutSamlConfigDto) {
    return this.configs.put(auth.orgId, await this.slug(auth), auth.actor, {
      enabled: body.enabled,
      idpEntityId: body.idpEntityId.trim(),
      idpSsoUrl: body.idpSsoUrl,
      idpSloUrl: body.idpSloUrl ?? null,
      idpCerts: body.idpCerts,
      spEntityId: body.spEntityId?.trim() || null,
      attributeMapping: { ...(body.attributeMapping ?? {}) },
      jit: body.jit,
      defaultRole: body.defaultRole ?? 'member',
      ssoRequired: body.ssoRequired,
      allowIdpInitiated: body.allowIdpInitiated,
    });
  }

  @Post('metadata')
  @HttpCode(200)
  @ApiOperation({ summary: 'Import the IdP metadata XML: entity id, SSO/SLO URLs and signing certificates' })
  async importMetadata(@CurrentAuth() auth: AuthContext, @Body() body: ImportIdpMetadataDto) {
    return this.configs.importMetadata(auth.orgId, await this.slug(auth), auth.actor, body.metadataXml);
  }

  private async slug(auth: AuthContext): Promise<string> {
    const org = await this.orgs.get(auth.orgId);
    if (!org) throw notFound('Organisation');
    return org.slug;
  }
}
