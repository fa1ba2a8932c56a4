import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

/**
 * Which IdP attribute (SAML) or claim (OIDC) carries each profile field. OIDC falls back to the
 * standard claims (`email`, `name`, `preferred_username`); SAML's `email` may be `nameID`.
 */
export class SsoAttributeMappingDto {
  @ApiPropertyOptional({ example: 'email', description: 'Email (OIDC default `email`; SAML: `nameID` uses the NameID)' })
  @IsOptional() @IsString() @Length(1, 512)
  email?: string;

  @ApiPropertyOptional({ example: 'name', description: 'Display name (OIDC default `name`)' })
  @IsOptional() @IsString() @Length(1, 512)
  displayName?: string;

  @ApiPropertyOptional({ example: 'preferred_username', description: 'Handle, used only if valid (OIDC default `preferred_username`)' })
  @IsOptional() @IsString() @Length(1, 512)
  handle?: string;

  @ApiPropertyOptional({ example: 'title' })
  @IsOptional() @IsString() @Length(1, 512)
  title?: string;

  @ApiPropertyOptional({ example: 'department' })
  @IsOptional() @IsString() @Length(1, 512)
  department?: string;

  @ApiPropertyOptional({ example: 'groups', description: 'Multi-valued: the IdP groups; each sign-in syncs the groups linked at /api/v1/admin/sso/group-links' })
  @IsOptional() @IsString() @Length(1, 512)
  groups?: string;
}
