import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { UuidParam } from '../../common/uuid-param.pipe.js';
import { Public } from '../../identity/auth-context.js';
import { ScimExceptionFilter } from './scim-exception.filter.js';
import { CurrentScim, listQuery, ScimBase } from './scim-request.js';
import { listResponse, userResource } from './scim-resources.js';
import { ScimUsersService } from './scim-users.service.js';
import { ScimGuard, type ScimContext } from './scim.guard.js';

/** RFC 7644 Users. Bodies are plain objects: SCIM's own rules, not the app's DTO validation. */
@Public()
@ApiExcludeController()
@UseGuards(ScimGuard)
@UseFilters(ScimExceptionFilter)
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  async list(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Query() query: Record<string, unknown>) {
    const q = listQuery(query);
    const { total, rows } = await this.users.list(scim, q.filter, q.startIndex, q.count);
    return listResponse(rows.map((u) => userResource(u, base)), total, q.startIndex);
  }

  @Get(':id')
  async get(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Param('id', UuidParam) id: string) {
    return userResource(await this.users.get(scim, id), base);
  }

  @Post()
  async create(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Body() body: Record<string, unknown>, @Res({ passthrough: true }) res: Response) {
    const resource = userResource(await this.users.create(scim, body ?? {}), base);
    res.setHeader('Location', `${base}/Users/${String(resource.id)}`);
    return resource;
  }

  @Put(':id')
  async replace(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Param('id', UuidParam) id: string, @Body() body: Record<string, unknown>) {
    return userResource(await this.users.replace(scim, id, body ?? {}), base);
  }

  @Patch(':id')
  async patch(@CurrentScim() scim: ScimContext, @ScimBase() base: string, @Param('id', UuidParam) id: string, @Body() body: Record<string, unknown>) {
    return userResource(await this.users.patch(scim, id, body ?? {}), base);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@CurrentScim() scim: ScimContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.users.delete(scim, id);
  }
}
