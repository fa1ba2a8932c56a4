import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module.js';
import { GroupsModule } from '../groups/groups.module.js';
import { AttachmentContentController } from './attachment-content.controller.js';
import { IdentityModule } from '../identity/identity.module.js';
import { LiveModule } from '../live/live.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PostFeedRepository } from './post-feed.repository.js';
import { PostCreatedHooks } from './post-created-hooks.js';
import { PostFeedService } from './post-feed.service.js';
import { PostRepository } from './post.repository.js';
import { PostService } from './post.service.js';
import { PostsController } from './posts.controller.js';

@Module({
  imports: [IdentityModule, GroupsModule, NotificationsModule, LiveModule, AttachmentsModule],
  controllers: [PostsController, AttachmentContentController],
  providers: [PostRepository, PostFeedRepository, PostService, PostFeedService, PostCreatedHooks],
  exports: [PostService, PostFeedService, PostCreatedHooks],
})
export class PostsModule {}
