import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';

const SLACK_ID = /^[A-Z0-9]{2,32}$/;

export class ConnectSlackTokenDto {
  @ApiProperty({ description: 'The bot token (xoxb-…) of the Slack app installed in your workspace; stored encrypted, never shown again' })
  @IsString()
  @Length(10, 500)
  @Matches(/^xoxb-[A-Za-z0-9-]+$/, { message: 'botToken must be a Slack bot token (xoxb-…)' })
  botToken!: string;

  @ApiPropertyOptional({ description: "The app's own signing secret, when it is not the server's SLACK_SIGNING_SECRET" })
  @IsOptional()
  @IsString()
  @Length(8, 200)
  signingSecret?: string;

  @ApiPropertyOptional({ description: 'Group that `/chorus text` posts to when no #group is named' })
  @IsOptional()
  @IsUUID()
  defaultGroupId?: string;
}

export class UpdateSlackInstallationDto {
  @ApiProperty({ nullable: true, description: 'Group for `/chorus text` without a #group; null for the company stream' })
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  defaultGroupId!: string | null;
}

export class PutSlackLinkDto {
  @ApiProperty()
  @IsUUID()
  installationId!: string;

  @ApiProperty({ description: 'Slack channel id (C…/G…)' })
  @Matches(SLACK_ID, { message: 'channelId must be a Slack channel id' })
  channelId!: string;

  @ApiProperty()
  @IsUUID()
  groupId!: string;
}
