import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { notFound } from '../../../src/common/domain-error.js';
import { UuidParam } from '../../../src/common/uuid-param.pipe.js';
import { CurrentAuth, Roles, type AuthContext } from '../../../src/identity/auth-context.js';
import { ConnectSlackTokenDto, PutSlackLinkDto, UpdateSlackInstallationDto } from './dto/slack-admin.dto.js';
import { SlackInstallationService } from './slack-installation.service.js';
import { SlackLinkService } from './slack-link.service.js';

const SLACK_ID = /^[A-Z0-9]{2,32}$/;

@ApiTags('slack')
@Roles('admin')
@Controller('api/v1/admin/slack')
export class SlackAdminController {
  constructor(
    private readonly installations: SlackInstallationService,
    private readonly links: SlackLinkService,
  ) {}

  @Get('installations')
  @ApiOperation({ summary: 'Connected Slack workspaces (never a token or secret), live first' })
  async list(@CurrentAuth() auth: AuthContext) {
    return { items: await this.installations.list(auth.orgId) };
  }

  @Post('installations/token')
  @ApiOperation({ summary: 'Connect a workspace with a bot token (single-workspace setup); checked with auth.test, stored encrypted' })
  connect(@CurrentAuth() auth: AuthContext, @Body() body: ConnectSlackTokenDto) {
    return this.installations.connectWithToken(auth, body);
  }

  @Patch('installations/:id')
  @ApiOperation({ summary: 'Change the default group of `/chorus` (audited)' })
  update(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Body() body: UpdateSlackInstallationDto) {
    return this.installations.setDefaultGroup(auth, id, body.defaultGroupId);
  }

  @Delete('installations/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect a workspace: its channel links go and the token is revoked (audited)' })
  async disconnect(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.installations.disconnect(auth, id);
  }

  @Get('links')
  @ApiOperation({ summary: 'Slack channels linked to groups' })
  async listLinks(@CurrentAuth() auth: AuthContext) {
    return { items: await this.links.list(auth.orgId) };
  }

  @Put('links')
  @ApiOperation({ summary: 'Link (or re-link) a Slack channel to a group (audited)' })
  link(@CurrentAuth() auth: AuthContext, @Body() body: PutSlackLinkDto) {
    return this.links.put(auth, body.installationId, body.channelId, body.groupId);
  }

  @Delete('links/:installationId/:channelId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unlink a Slack channel (audited)' })
  async unlink(@CurrentAuth() auth: AuthContext, @Param('installationId', UuidParam) installationId: string, @Param('channelId') channelId: string): Promise<void> {
    if (!SLACK_ID.test(channelId)) throw notFound('Slack channel link');
    await this.links.unlink(auth, installationId, channelId);
  }
}
