import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { FollowRepository } from './follow.repository.js';
import { FollowService } from './follow.service.js';
import { FollowsController } from './follows.controller.js';

@Module({
  imports: [IdentityModule],
  controllers: [FollowsController],
  providers: [FollowRepository, FollowService],
})
export class FollowsModule {}
