import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { UuidParam } from '../../common/uuid-param.pipe.js';
import { Public } from '../../identity/auth-context.js';
import { ScimExceptionFilter } from './scim-exception.filter.js';
import { CurrentScim, excludes, listQuery, ScimBase } from './scim-request.js';
import { listResponse, groupResource } from './scim-resources.js';
import { ScimGroupsService } from './scim-groups.service.js';
import { ScimGuard, type ScimContext } from './scim.guard.js';

/** RFC 7644 Groups. Bodies are plain objects: SCIM's own rules, not the app's DTO validation. */
@Public()
@ApiExcludeController()
@UseGuards(ScimGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2/Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Get()
  async list(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Query() query: Record<string, unknown>) {
    const q = listQuery(query);
    const withMembers = !excludes(q.excludedAttributes, 'members');
    const { total, groups } = await this.groups.list(scim, q.filter, q.startIndex, q.count, withMembers);
    return listResponse(groups.map((g) => groupResource(g, base, withMembers)), total, q.startIndex);
  }

  @Get(':id')
  async get(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Param('id', UuidParam) id: string) {
    return groupResource(await this.groups.get(scim, id), base);
  }

  @Post()
  async create(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Body() body: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const resource = groupResource(await this.groups.create(scim, body ?? {}), base);
    res.setHeader('Location', `${base}/Groups/${String(resource.id)}`);
    return resource;
  }

  @Put(':id')
  async replace(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Param('id', UuidParam) id: string, @Body() body: Record<string, unknown>) {
    return groupResource(await this.groups.replace(scim, id, body ?? {}), base);
  }

  @Patch(':id')
  async patch(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Param('id', UuidParam) id: string, @Body() body: Record<string, unknown>) {
    return groupResource(await this.groups.patch(scim, id, body ?? {}), base);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@CurrentScim() scim: ScimContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.groups.delete(scim, id);
  }
}
