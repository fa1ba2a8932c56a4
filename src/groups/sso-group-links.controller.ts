import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth, Roles, type AuthContext } from '../identity/auth-context.js';
import { PutSsoGroupLinksDto } from './dto/sso-group-links.dto.js';
import { GroupService } from './group.service.js';

/** Which Chorus groups single sign-on keeps in step with the IdP's groups. */
@ApiTags('sso')
@Controller('api/v1/admin/sso/group-links')
@Roles('admin')
export class SsoGroupLinksController {
  constructor(private readonly groups: GroupService) {}

  @Get()
  @ApiOperation({ summary: 'Groups linked to IdP group names' })
  async list(@CurrentAuth() auth: AuthContext) {
    return { links: await this.groups.listSsoLinks(auth.orgId) };
  }

  @Put()
  @ApiOperation({ summary: 'Replace the links (audited); sign-ins then add and remove members of linked groups only' })
  async replace(@CurrentAuth() auth: AuthContext, @Body() body: PutSsoGroupLinksDto) {
    return { links: await this.groups.replaceSsoLinks(auth.orgId, auth.actor, body.links) };
  }
}
