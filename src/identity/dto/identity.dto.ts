import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDate, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { USER_ROLES, type UserRole } from '../auth-context.js';
import type { UserStatus } from '../user.repository.js';

export const HANDLE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,39}$/;

export class LoginDto {
  @ApiProperty({ example: 'acme', description: 'Organisation slug' })
  @IsString()
  @Length(1, 63)
  org: string;

  @ApiProperty({ example: 'a@acme.test' })
  @IsString()
  @Length(3, 254)
  email: string;

  @ApiProperty()
  @IsString()
  @Length(1, 256)
  password: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'b@acme.test' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Bea Bloggs' })
  @IsString()
  @Length(1, 100)
  displayName: string;

  @ApiPropertyOptional({ example: 'bea', description: 'For @mentions; derived from the email when omitted' })
  @IsOptional()
  @Matches(HANDLE, { message: 'handle must be 1-40 letters, digits, _ . - (not starting with . or -)' })
  handle?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string;

  @ApiPropertyOptional({ enum: USER_ROLES, default: 'member' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ description: 'For local sign-in; 12 to 256 characters' })
  @IsOptional()
  @IsString()
  @Length(12, 256)
  password?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  displayName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(HANDLE, { message: 'handle must be 1-40 letters, digits, _ . - (not starting with . or -)' })
  handle?: string;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  title?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_o, v) => v !== null)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string | null;

  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ enum: ['active', 'deactivated'] })
  @IsOptional()
  @IsIn(['active', 'deactivated'])
  status?: UserStatus;

  @ApiPropertyOptional({ description: 'Admins only: keeps a local password working when the org requires SSO' })
  @IsOptional()
  @IsBoolean()
  breakGlass?: boolean;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Matches name, email or handle' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ['active', 'deactivated'] })
  @IsOptional()
  @IsIn(['active', 'deactivated'])
  status?: UserStatus;

  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}

export class CreateTokenDto {
  @ApiProperty({ example: 'ci' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'No expiry when omitted' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, 256)
  currentPassword: string;

  @ApiProperty({ minLength: 12, maxLength: 256 })
  @IsString()
  @Length(12, 256)
  newPassword: string;
}
