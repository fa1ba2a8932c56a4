import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsDate, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { EXPORT_FORMATS, type ExportFormat } from '../bundle/bundle.types.js';

export class CreateExportDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Posts created at or after this time' })
  @Type(() => Date)
  @IsDate()
  from!: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'Posts created before this time' })
  @Type(() => Date)
  @IsDate()
  to!: Date;

  @ApiPropertyOptional({ type: [String], description: 'Only posts by these users' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  custodians?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Only posts in these groups' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  groups?: string[];

  @ApiPropertyOptional({ description: 'Only what this legal hold covers' })
  @IsOptional()
  @IsUUID()
  holdId?: string;

  @ApiPropertyOptional({ description: 'Full-text query over every version of a post (web-search syntax)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  query?: string;

  @ApiPropertyOptional({
    type: [String],
    enum: EXPORT_FORMATS,
    description: 'What the bundle holds besides posts.jsonl and the manifest (default: all but audit)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(EXPORT_FORMATS.length)
  @ArrayUnique()
  @IsIn(EXPORT_FORMATS, { each: true })
  formats?: ExportFormat[];
}
