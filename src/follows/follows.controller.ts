import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { FollowService } from './follow.service.js';

@ApiTags('users')
@Controller('api/v1/users/:id/follow')
export class FollowsController {
  constructor(private readonly follows: FollowService) {}

  @Get()
  @ApiOperation({ summary: 'Whether I follow the user, and their follower and followee counts' })
  status(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.follows.status(auth, id);
  }

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Follow a user: their posts join my home stream' })
  async follow(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.follows.follow(auth, id);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Unfollow a user' })
  async unfollow(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.follows.unfollow(auth, id);
  }
}
