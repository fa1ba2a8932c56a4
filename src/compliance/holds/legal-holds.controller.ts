import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../common/uuid-param.pipe.js';
import { CurrentAuth, Roles, type AuthContext } from '../../identity/auth-context.js';
import { CreateLegalHoldDto, ListLegalHoldsQueryDto, UpdateLegalHoldDto } from './dto/legal-hold.dto.js';
import { LegalHoldService } from './legal-hold.service.js';

@ApiTags('compliance')
@Controller('api/v1/compliance/holds')
@Roles('compliance')
export class LegalHoldsController {
  constructor(private readonly holds: LegalHoldService) {}

  @Post()
  @ApiOperation({ summary: 'Place a legal hold: matching content is never purged, with every version and deletion marker (audited)' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateLegalHoldDto) {
    return this.holds.create(auth, body);
  }

  @Get()
  @ApiOperation({ summary: 'Legal holds, newest first' })
  list(@CurrentAuth() auth: AuthContext, @Query() q: ListLegalHoldsQueryDto) {
    return this.holds.list(auth.orgId, q.status, q.limit, q.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A legal hold with the number of posts it covers' })
  get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.holds.get(auth.orgId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the criteria, or release with a reason (final; audited)' })
  update(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Body() body: UpdateLegalHoldDto) {
    const { release, ...changes } = body;
    return this.holds.update(auth, id, changes, release);
  }
}
