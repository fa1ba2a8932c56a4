import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '../../../src/common/uuid-param.pipe.js';
import { CurrentAuth, type AuthContext } from '../../../src/identity/auth-context.js';
import { GroupEmailAddressService } from './group-email-address.service.js';

@ApiTags('email')
@Controller('api/v1/groups/:id/email-address')
export class GroupEmailAddressController {
  constructor(private readonly addresses: GroupEmailAddressService) {}

  @Get()
  @ApiOperation({ summary: "The group's posting address (mail it to post in the group)" })
  get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.addresses.get(auth, id);
  }

  @Post('secret')
  @HttpCode(201)
  @ApiOperation({ summary: 'Make (or rotate) the secret posting address; shown only in this answer (owners, admins)' })
  rotate(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.addresses.rotateSecret(auth, id);
  }

  @Delete('secret')
  @HttpCode(204)
  @ApiOperation({ summary: 'Turn the secret posting address off (owners, admins)' })
  async remove(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.addresses.removeSecret(auth, id);
  }
}
