import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsString, IsUUID, Length, ValidateNested } from 'class-validator';

export class SsoGroupLinkDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  groupId: string;

  @ApiProperty({ example: 'engineering', description: "The IdP's group name or id exactly as it sends it in the groups attribute (case-sensitive)" })
  @IsString()
  @Length(1, 256)
  idpGroup: string;
}

export class PutSsoGroupLinksDto {
  @ApiProperty({ type: [SsoGroupLinkDto], description: 'Every link of the organisation (replaces the current list)' })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => SsoGroupLinkDto)
  links: SsoGroupLinkDto[];
}
