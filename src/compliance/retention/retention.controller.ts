import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../../common/page-query.dto.js';
import { UuidParam } from '../../common/uuid-param.pipe.js';
import { CurrentAuth, Roles, type AuthContext } from '../../identity/auth-context.js';
import { PutGroupRetentionDto, PutRetentionPolicyDto } from './dto/retention.dto.js';
import { RetentionService } from './retention.service.js';

@ApiTags('compliance')
@Controller('api/v1/compliance/retention')
@Roles('compliance')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  @ApiOperation({ summary: 'The org retention policy and the group overrides' })
  get(@CurrentAuth() auth: AuthContext) {
    return this.retention.get(auth.orgId);
  }

  @Put()
  @ApiOperation({ summary: 'Set the org default (retainDays null keeps forever) and the deleted-post grace period (audited)' })
  put(@CurrentAuth() auth: AuthContext, @Body() body: PutRetentionPolicyDto) {
    return this.retention.update(auth, { retainDays: body.retainDays, deletedGraceDays: body.deletedGraceDays });
  }

  @Put('groups/:groupId')
  @ApiOperation({ summary: "Override the org default for one group's posts (null keeps them forever; audited)" })
  putGroup(@CurrentAuth() auth: AuthContext, @Param('groupId', UuidParam) groupId: string, @Body() body: PutGroupRetentionDto) {
    return this.retention.setGroup(auth, groupId, body.retainDays);
  }

  @Delete('groups/:groupId')
  @HttpCode(204)
  @ApiOperation({ summary: 'The group inherits the org default again (audited)' })
  async deleteGroup(@CurrentAuth() auth: AuthContext, @Param('groupId', UuidParam) groupId: string): Promise<void> {
    await this.retention.clearGroup(auth, groupId);
  }

  @Get('preview')
  @ApiOperation({ summary: 'Per scope: posts the next sweep would purge by age, deleted posts past grace, and due posts protected by holds' })
  preview(@CurrentAuth() auth: AuthContext) {
    return this.retention.preview(auth.orgId);
  }

  @Post('sweeps')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run a retention sweep of the org now, in the background (audited)' })
  async sweep(@CurrentAuth() auth: AuthContext) {
    await this.retention.requestSweep(auth);
    return { status: 'queued' };
  }

  @Get('sweeps')
  @ApiOperation({ summary: 'Recent sweeps with their counts, newest first' })
  sweeps(@CurrentAuth() auth: AuthContext, @Query() q: PageQueryDto) {
    return this.retention.listSweeps(auth.orgId, q.limit, q.cursor);
  }
}
