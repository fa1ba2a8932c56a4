import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { SsoAttributeMappingDto } from '../../dto/sso-attribute-mapping.dto.js';
import { USER_ROLES, type UserRole } from '../../../identity/auth-context.js';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class PutOidcConfigDto {
  @ApiProperty({ description: 'OIDC sign-in is offered' })
  @IsBoolean()
  enabled: boolean;

  @ApiProperty({ example: 'https://login.microsoftonline.com/<tenant>/v2.0', description: 'Issuer; its `/.well-known/openid-configuration` is read' })
  @IsUrl(URL_OPTIONS) @MaxLength(2048)
  issuerUrl: string;

  @ApiProperty({ example: '0oa1b2c3d4' })
  @IsString() @Length(1, 512)
  clientId: string;

  @ApiPropertyOptional({ description: 'Write-only. Omit to keep the stored secret; `null` removes it (public client). Stored encrypted, never returned.', nullable: true })
  @IsOptional() @IsString() @Length(1, 4096)
  clientSecret?: string | null;

  @ApiPropertyOptional({ type: [String], default: ['openid', 'email', 'profile'], description: 'Must include `openid`' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsString({ each: true }) @Matches(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ type: SsoAttributeMappingDto })
  @IsOptional() @ValidateNested() @Type(() => SsoAttributeMappingDto)
  claimMapping?: SsoAttributeMappingDto;

  @ApiProperty({ description: 'Create unknown users at their first SSO sign-in' })
  @IsBoolean()
  jit: boolean;

  @ApiPropertyOptional({ enum: USER_ROLES, default: 'member', description: 'Role of users created just in time' })
  @IsOptional() @IsIn(USER_ROLES)
  defaultRole?: UserRole;
}
