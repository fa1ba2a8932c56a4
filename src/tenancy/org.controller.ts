import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { notFound } from '../common/domain-error.js';
import { CurrentAuth, Roles, type AuthContext } from '../identity/auth-context.js';
import type { OrgSettings } from './org.repository.js';
import { OrgService } from './org.service.js';

class OrgSettingsDto {
  @ApiPropertyOptional({ minimum: 100, maximum: 10000, default: 2000 })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(10000)
  maxPostLength?: number;

  @ApiPropertyOptional({ enum: ['everyone', 'admins'], default: 'everyone' })
  @IsOptional()
  @IsIn(['everyone', 'admins'])
  companyPosting?: OrgSettings['companyPosting'];

  @ApiPropertyOptional({
    default: false,
    description: "Accept email sent to a group's secret posting address without DKIM/DMARC alignment (for senders whose domain does not sign mail)",
  })
  @IsOptional()
  @IsBoolean()
  emailSecretAddresses?: boolean;
}

class UpdateOrgDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiProperty({ type: OrgSettingsDto, required: false })
  @IsOptional()
  @ValidateNested()
  @Type(() => OrgSettingsDto)
  settings?: OrgSettingsDto;
}

@ApiTags('org')
@Controller('api/v1/org')
export class OrgController {
  constructor(private readonly orgs: OrgService) {}

  @Get()
  @ApiOperation({ summary: 'My organisation and its settings' })
  async get(@CurrentAuth() auth: AuthContext) {
    const org = await this.orgs.get(auth.orgId);
    if (!org) throw notFound('Organisation');
    return org;
  }

  @Patch()
  @Roles('admin')
  @ApiOperation({ summary: 'Rename the organisation or change its settings (admin)' })
  update(@CurrentAuth() auth: AuthContext, @Body() body: UpdateOrgDto) {
    const settings = Object.fromEntries(Object.entries(body.settings ?? {}).filter(([, v]) => v !== undefined));
    return this.orgs.update(auth.orgId, auth.actor, body.name, settings);
  }
}
