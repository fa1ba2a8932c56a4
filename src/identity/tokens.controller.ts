import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentAuth, type AuthContext } from './auth-context.js';
import { CreateTokenDto } from './dto/identity.dto.js';
import { TokenService } from './token.service.js';

@ApiTags('tokens')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @ApiOperation({ summary: 'Create a personal API token; the secret is in this response only' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateTokenDto) {
    return this.tokens.create(auth.orgId, auth.actor, auth.userId, body.name, body.expiresAt ?? null);
  }

  @Get()
  @ApiOperation({ summary: 'My API tokens (prefix, expiry, last use; never the secret)' })
  list(@CurrentAuth() auth: AuthContext, @Query() q: PageQueryDto) {
    return this.tokens.list(auth, q.limit, q.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token (mine, or any as admin)' })
  async revoke(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.tokens.revoke(auth, id);
  }
}
