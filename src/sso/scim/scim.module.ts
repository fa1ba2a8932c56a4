import { Module } from '@nestjs/common';
import { GroupsModule } from '../../groups/groups.module.js';
import { IdentityModule } from '../../identity/identity.module.js';
import { ScimDiscoveryController } from './scim-discovery.controller.js';
import { ScimGroupsController } from './scim-groups.controller.js';
import { ScimGroupsService } from './scim-groups.service.js';
import { ScimTokenRepository } from './scim-token.repository.js';
import { ScimTokenService } from './scim-token.service.js';
import { ScimTokensController } from './scim-tokens.controller.js';
import { ScimUsersController } from './scim-users.controller.js';
import { ScimUsersService } from './scim-users.service.js';
import { ScimGuard } from './scim.guard.js';

/** SCIM 2.0 provisioning at /scim/v2, and the admin API for its tokens. */
@Module({
  imports: [IdentityModule, GroupsModule],
  controllers: [ScimTokensController, ScimUsersController, ScimGroupsController, ScimDiscoveryController],
  providers: [ScimTokenRepository, ScimTokenService, ScimUsersService, ScimGroupsService, ScimGuard],
})
export class ScimModule {}
