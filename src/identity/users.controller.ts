import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentAuth, Roles, type AuthContext } from './auth-context.js';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto } from './dto/identity.dto.js';
import { UserService } from './user.service.js';

@ApiTags('users')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UserService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user (admin)' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateUserDto) {
    return this.users.create(auth.orgId, auth.actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'The org directory, by name' })
  list(@CurrentAuth() auth: AuthContext, @Query() q: ListUsersQueryDto) {
    const { limit, cursor, ...filter } = q;
    return this.users.list(auth.orgId, filter, limit, cursor);
  }

  @Get(':id')
  get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.users.get(auth.orgId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update a profile (self) or role/status/breakGlass/anything (admin); deactivation ends sessions and tokens' })
  update(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Body() body: UpdateUserDto) {
    const { breakGlass, ...changes } = body;
    if (breakGlass === undefined) return this.users.update(auth.orgId, auth.actor, id, changes);
    return this.users.updateWithBreakGlass(auth.orgId, auth.actor, id, changes, breakGlass);
  }
}
