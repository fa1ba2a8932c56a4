import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, Length, MaxLength, ValidateNested } from 'class-validator';
import { SsoAttributeMappingDto } from '../../dto/sso-attribute-mapping.dto.js';
import { USER_ROLES, type UserRole } from '../../../identity/auth-context.js';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class PutSamlConfigDto {
  @ApiProperty({ description: 'SAML sign-in is offered (and the ACS accepts responses)' })
  @IsBoolean()
  enabled: boolean;

  @ApiProperty({ example: 'https://sts.windows.net/…/' })
  @IsString() @Length(1, 1024)
  idpEntityId: string;

  @ApiProperty({ example: 'https://login.microsoftonline.com/…/saml2', description: 'IdP SSO endpoint (HTTP-Redirect binding)' })
  @IsUrl(URL_OPTIONS) @MaxLength(2048)
  idpSsoUrl: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional() @IsUrl(URL_OPTIONS) @MaxLength(2048)
  idpSloUrl?: string | null;

  @ApiProperty({ type: [String], description: 'IdP signing certificates (PEM or base64 DER), 1–10: several during a rotation' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10) @IsString({ each: true }) @Length(100, 16384, { each: true })
  idpCerts: string[];

  @ApiPropertyOptional({ nullable: true, description: 'Our entity id at this IdP; default `<PUBLIC_URL>/auth/saml/<org>/metadata`' })
  @IsOptional() @IsString() @Length(1, 1024)
  spEntityId?: string | null;

  @ApiPropertyOptional({ type: SsoAttributeMappingDto })
  @IsOptional() @ValidateNested() @Type(() => SsoAttributeMappingDto)
  attributeMapping?: SsoAttributeMappingDto;

  @ApiProperty({ description: 'Create unknown users at their first SSO sign-in' })
  @IsBoolean()
  jit: boolean;

  @ApiPropertyOptional({ enum: USER_ROLES, default: 'member', description: 'Role of users created just in time' })
  @IsOptional() @IsIn(USER_ROLES)
  defaultRole?: UserRole;

  @ApiProperty({ description: 'Local passwords work only for break-glass users' })
  @IsBoolean()
  ssoRequired: boolean;

  @ApiProperty({ description: 'Accept responses the IdP sends unasked (no InResponseTo)' })
  @IsBoolean()
  allowIdpInitiated: boolean;
}

export class ImportIdpMetadataDto {
  @ApiProperty({ description: 'The IdP metadata document (EntityDescriptor XML)' })
  @IsString() @Length(1, 200_000)
  metadataXml: string;
}
