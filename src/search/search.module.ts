import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { SearchController } from './search.controller.js';
import { SearchRepository } from './search.repository.js';
import { SearchService } from './search.service.js';

@Module({
  imports: [IdentityModule, GroupsModule, PostsModule],
  controllers: [SearchController],
  providers: [SearchRepository, SearchService],
})
export class SearchModule {}
