import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { UuidParam } from '../../common/uuid-param.pipe.js';
import { CurrentAuth, Roles, type AuthContext } from '../../identity/auth-context.js';
import { ScimTokenService } from './scim-token.service.js';

export class CreateScimTokenDto {
  @ApiProperty({ example: 'Entra ID provisioning' })
  @IsString()
  @Length(1, 100)
  name: string;
}

@ApiTags('scim')
@Roles('admin')
@Controller('api/v1/admin/scim/tokens')
export class ScimTokensController {
  constructor(private readonly tokens: ScimTokenService) {}

  @Post()
  @ApiOperation({ summary: 'Create a SCIM bearer token for the identity provider; the secret is in this response only' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreateScimTokenDto) {
    return this.tokens.create(auth, body.name);
  }

  @Get()
  @ApiOperation({ summary: 'The organisation\'s SCIM tokens (prefix, last use, revocation; never the secret)' })
  async list(@CurrentAuth() auth: AuthContext) {
    return { items: await this.tokens.list(auth) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a SCIM token' })
  async revoke(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.tokens.revoke(auth, id);
  }
}
