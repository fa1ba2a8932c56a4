import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { GroupRepository } from './group.repository.js';
import { GroupService } from './group.service.js';
import { GroupsController } from './groups.controller.js';
import { SsoGroupLinksController } from './sso-group-links.controller.js';

@Module({
  imports: [IdentityModule],
  controllers: [GroupsController, SsoGroupLinksController],
  providers: [GroupRepository, GroupService],
  exports: [GroupService],
})
export class GroupsModule {}
