import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class UpdateEmailPreferencesDto {
  @ApiPropertyOptional({ description: 'Email me when someone @mentions me' })
  @IsOptional()
  @IsBoolean()
  mentions?: boolean;

  @ApiPropertyOptional({ description: 'Email me when someone replies to my post' })
  @IsOptional()
  @IsBoolean()
  replies?: boolean;

  @ApiPropertyOptional({ description: 'A daily digest of new posts in my groups' })
  @IsOptional()
  @IsBoolean()
  digest?: boolean;
}

export class EmailPreferencesDto {
  @ApiProperty()
  mentions: boolean;

  @ApiProperty()
  replies: boolean;

  @ApiProperty()
  digest: boolean;
}
