import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page } from '../common/cursor.js';
import { CurrentAuth, Roles, type AuthContext } from '../identity/auth-context.js';
import { AuditService, type AuditEventView } from './audit.service.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin', 'compliance')
  @ApiOperation({ summary: "The org's audit log, newest first" })
  list(@CurrentAuth() auth: AuthContext, @Query() q: AuditQueryDto): Promise<Page<AuditEventView>> {
    const { limit, cursor, ...filter } = q;
    return this.audit.list(auth.orgId, filter, limit, cursor);
  }
}
