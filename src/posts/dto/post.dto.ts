import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { MAX_ATTACHMENTS_PER_POST } from '../../attachments/attachment.service.js';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { REACTION_KINDS, type ReactionKind } from '../post.repository.js';

/** The hard ceiling; each org's own limit (default 2,000) is checked by the service. */
const BODY_CEILING = 10_000;

export class CreatePostDto {
  @ApiProperty({ example: 'Shipped the new search! Thanks @ada #launch', maxLength: BODY_CEILING })
  @IsString()
  @Length(1, BODY_CEILING)
  body: string;

  @ApiPropertyOptional({ description: 'Post in this group; omit for the company stream' })
  @IsOptional()
  @IsUUID()
  groupId?: string;

  @ApiPropertyOptional({ description: 'Reply to this post (a reply to a reply joins the root conversation)' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({ type: [String], description: 'Ids of my uploads (POST /api/v1/attachments) to attach', maxItems: MAX_ATTACHMENTS_PER_POST })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS_PER_POST)
  @IsUUID('all', { each: true })
  attachmentIds?: string[];

  @ApiPropertyOptional({ description: 'Pin as an announcement (group owners, admins)' })
  @IsOptional()
  @IsBoolean()
  announcement?: boolean;
}

export class EditPostDto {
  @ApiProperty({ maxLength: BODY_CEILING })
  @IsString()
  @Length(1, BODY_CEILING)
  body: string;
}

export class ReactionParams {
  @ApiProperty()
  @IsUUID()
  id: string;

  @ApiProperty({ enum: REACTION_KINDS })
  @IsIn(REACTION_KINDS)
  kind: ReactionKind;
}

export class HashtagParams {
  @ApiProperty({ example: 'launch' })
  @IsString()
  @MaxLength(64)
  @Matches(/^[\p{L}\p{N}_]+$/u, { message: 'tag must be letters, digits or _' })
  tag: string;
}

export { PageQueryDto };
