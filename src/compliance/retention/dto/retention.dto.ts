import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';

export class PutRetentionPolicyDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 36500, description: 'Delete posts older than this many days; null keeps forever' })
  @ValidateIf((o: PutRetentionPolicyDto) => o.retainDays !== null)
  @IsInt()
  @Min(1)
  @Max(36500)
  retainDays: number | null;

  @ApiProperty({ minimum: 0, maximum: 3650, example: 30, description: 'User-deleted posts are purged this many days after deletion' })
  @IsInt()
  @Min(0)
  @Max(3650)
  deletedGraceDays: number;
}

export class PutGroupRetentionDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 36500, description: "Overrides the org default for this group's posts; null keeps them forever" })
  @ValidateIf((o: PutGroupRetentionDto) => o.retainDays !== null)
  @IsInt()
  @Min(1)
  @Max(36500)
  retainDays: number | null;
}
