import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../common/page-query.dto.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { HashtagParams } from '../posts/dto/post.dto.js';
import { PostFeedService } from '../posts/post-feed.service.js';

/** Timelines, newest first, `?limit=&cursor=` → `{ items, nextCursor }`. */
@ApiTags('streams')
@Controller('api/v1/streams')
export class StreamsController {
  constructor(private readonly feed: PostFeedService) {}

  @Get('company')
  @ApiOperation({ summary: 'Company-wide posts' })
  company(@CurrentAuth() auth: AuthContext, @Query() q: PageQueryDto) {
    return this.feed.company(auth, q.limit, q.cursor);
  }

  @Get('home')
  @ApiOperation({ summary: 'My groups, people I follow, the company stream and posts mentioning me' })
  home(@CurrentAuth() auth: AuthContext, @Query() q: PageQueryDto) {
    return this.feed.home(auth, q.limit, q.cursor);
  }

  @Get('mentions')
  mentions(@CurrentAuth() auth: AuthContext, @Query() q: PageQueryDto) {
    return this.feed.mentions(auth, q.limit, q.cursor);
  }

  @Get('groups/:id')
  group(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Query() q: PageQueryDto) {
    return this.feed.group(auth, id, q.limit, q.cursor);
  }

  @Get('users/:id')
  user(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Query() q: PageQueryDto) {
    return this.feed.author(auth, id, q.limit, q.cursor);
  }

  @Get('hashtags/:tag')
  hashtag(@CurrentAuth() auth: AuthContext, @Param() p: HashtagParams, @Query() q: PageQueryDto) {
    return this.feed.hashtag(auth, p.tag, q.limit, q.cursor);
  }
}
