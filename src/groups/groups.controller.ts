import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { AddMemberDto, CreateGroupDto, ListGroupsQueryDto, UpdateGroupDto } from './dto/group.dto.js';
import { GroupService } from './group.service.js';

@ApiTags('groups')
@Controller('api/v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupService) {}

  @Post()
  @ApiOperation({ summary: 'Create a group; the creator becomes its owner' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateGroupDto) {
    return this.groups.create(auth, body);
  }

  @Get()
  @ApiOperation({ summary: 'Groups I can see: public ones, my private ones (all for admins)' })
  list(@CurrentAuth() auth: AuthContext, @Query() q: ListGroupsQueryDto) {
    const { limit, cursor, ...filter } = q;
    return this.groups.list(auth, filter, limit, cursor);
  }

  @Get(':id')
  get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.groups.get(auth, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, describe, change visibility, archive or restore (owners, admins)' })
  update(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Body() body: UpdateGroupDto) {
    return this.groups.update(auth, id, body);
  }

  @Post(':id/join')
  @HttpCode(200)
  join(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.groups.join(auth, id);
  }

  @Post(':id/leave')
  @HttpCode(204)
  async leave(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.groups.leave(auth, id);
  }

  @Get(':id/members')
  members(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Query() q: PageQueryDto) {
    return this.groups.members(auth, id, q.limit, q.cursor);
  }

  @Post(':id/members')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a member or set their role (owners, admins)' })
  addMember(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Body() body: AddMemberDto) {
    return this.groups.addMember(auth, id, body.userId.toLowerCase(), body.role ?? 'member');
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  async removeMember(
    @CurrentAuth() auth: AuthContext,
    @Param('id', UuidParam) id: string,
    @Param('userId', UuidParam) userId: string,
  ): Promise<void> {
    await this.groups.removeMember(auth, id, userId);
  }
}
