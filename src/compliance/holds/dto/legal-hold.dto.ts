import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../../../common/page-query.dto.js';
import type { HoldStatus } from '../legal-hold.repository.js';

export class CreateLegalHoldDto {
  @ApiProperty({ example: 'Acme v. Chorus (2026-CV-0142)', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  matter: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiPropertyOptional({ type: [String], description: "Users whose posts are held; empty or omitted means anyone's" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  custodianIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Groups whose posts are held; empty or omitted means any (the company stream included)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  groupIds?: string[];

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', description: 'Posts created at or after this instant' })
  @IsOptional()
  @ValidateIf((o: { startsAt?: string | null }) => o.startsAt !== null)
  @IsISO8601({ strict: true })
  startsAt?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', description: 'Posts created before this instant' })
  @IsOptional()
  @ValidateIf((o: { endsAt?: string | null }) => o.endsAt !== null)
  @IsISO8601({ strict: true })
  endsAt?: string | null;

  @ApiPropertyOptional({ type: [String], description: 'Posts any version of which contains one of these (case-insensitive); empty means any text' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  keywords?: string[];
}

export class ReleaseLegalHoldDto {
  @ApiProperty({ minLength: 1, maxLength: 2000 })
  @IsString()
  @Length(1, 2000)
  reason: string;
}

/** Any of the hold's criteria (null clears a date bound), or `release` on its own. */
export class UpdateLegalHoldDto extends PartialType(CreateLegalHoldDto) {
  @ApiPropertyOptional({ type: ReleaseLegalHoldDto, description: 'Release the hold (final); sent on its own' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReleaseLegalHoldDto)
  release?: ReleaseLegalHoldDto;
}

export class ListLegalHoldsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'released'] })
  @IsOptional()
  @IsIn(['active', 'released'])
  status?: HoldStatus;
}
