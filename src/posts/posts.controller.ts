import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { CreatePostDto, EditPostDto, ReactionParams } from './dto/post.dto.js';
import { PostService } from './post.service.js';

@ApiTags('posts')
@Controller('api/v1/posts')
export class PostsController {
  constructor(private readonly posts: PostService) {}

  @Post()
  @ApiOperation({ summary: 'Post to the company stream or a group, or reply to a post' })
  create(@CurrentAuth() auth: AuthContext, @Body() body: CreatePostDto) {
    return this.posts.create(auth, {
      body: body.body,
      groupId: body.groupId?.toLowerCase(),
      parentId: body.parentId?.toLowerCase(),
      announcement: body.announcement,
      attachmentIds: body.attachmentIds?.map((id) => id.toLowerCase()),
    });
  }

  @Get(':id')
  get(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.posts.get(auth, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit my post; the earlier text is kept as a version' })
  edit(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Body() body: EditPostDto) {
    return this.posts.edit(auth, id, body.body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete (author, group owner or admin); hidden everywhere, kept for compliance' })
  async remove(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string): Promise<void> {
    await this.posts.remove(auth, id);
  }

  @Post(':id/pin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pin as an announcement at the top of its stream (group owners, admins)' })
  pin(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.posts.pin(auth, id, true);
  }

  @Delete(':id/pin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unpin an announcement' })
  unpin(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return this.posts.pin(auth, id, false);
  }

  @Get(':id/versions')
  @ApiOperation({ summary: 'Every version of the text (author, admins, compliance)' })
  async versions(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string) {
    return { items: await this.posts.versions(auth, id), nextCursor: null };
  }

  @Get(':id/thread')
  @ApiOperation({ summary: 'The conversation: root post and replies, oldest first' })
  thread(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Query() q: PageQueryDto) {
    return this.posts.thread(auth, id, q.limit, q.cursor);
  }

  @Post(':id/reactions/:kind')
  @HttpCode(200)
  react(@CurrentAuth() auth: AuthContext, @Param() p: ReactionParams) {
    return this.posts.react(auth, p.id.toLowerCase(), p.kind, true);
  }

  @Delete(':id/reactions/:kind')
  @HttpCode(200)
  unreact(@CurrentAuth() auth: AuthContext, @Param() p: ReactionParams) {
    return this.posts.react(auth, p.id.toLowerCase(), p.kind, false);
  }
}
