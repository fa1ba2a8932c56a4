import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/page-query.dto.js';

/**
 * A calendar date (UTC midnight) or a date-time with its offset. Stricter than ISO 8601 on
 * purpose: week and ordinal dates, or times without an offset, would mean different instants
 * depending on where they are parsed.
 */
const DATE_OR_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const DATE_MESSAGE = '$property must be a date (2024-05-01) or a date-time with an offset (2024-05-01T09:30:00Z)';

export class SearchPostsQueryDto extends PageQueryDto {
  @ApiProperty({ example: 'quarterly report -draft', description: 'Web-search syntax: words, "phrases", or, -not' })
  @IsString()
  @Length(1, 200)
  q: string;

  @ApiPropertyOptional({ description: 'Only posts in this group (404 if I cannot see it)' })
  @IsOptional()
  @IsUUID()
  groupId?: string;

  @ApiPropertyOptional({ description: 'Only posts by this user' })
  @IsOptional()
  @IsUUID()
  authorId?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Posted at or after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE })
  @Matches(DATE_OR_DATE_TIME, { message: DATE_MESSAGE })
  from?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Posted before (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: DATE_MESSAGE })
  @Matches(DATE_OR_DATE_TIME, { message: DATE_MESSAGE })
  to?: string;
}

/** Type-ahead lookups: a short list, no paging (the client narrows by typing more). */
export class AutocompleteQueryDto {
  @ApiProperty({ example: 'ada' })
  @IsString()
  @Length(1, 100)
  q: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  limit: number = 10;
}
