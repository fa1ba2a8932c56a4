import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { AutocompleteQueryDto, SearchPostsQueryDto } from './dto/search.dto.js';
import { SearchService } from './search.service.js';

@ApiTags('search')
@Controller('api/v1/search')
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @ApiOperation({ summary: 'Full-text search of posts I can read, best match first, then newest' })
  posts(@CurrentAuth() auth: AuthContext, @Query() q: SearchPostsQueryDto) {
    const input = {
      q: q.q,
      groupId: q.groupId?.toLowerCase(),
      authorId: q.authorId?.toLowerCase(),
      from: q.from !== undefined ? new Date(q.from) : undefined,
      to: q.to !== undefined ? new Date(q.to) : undefined,
    };
    return this.search.posts(auth, input, q.limit, q.cursor);
  }

  @Get('people')
  @ApiOperation({ summary: '@mention type-ahead: active people by name, handle or email, prefix matches first' })
  people(@CurrentAuth() auth: AuthContext, @Query() q: AutocompleteQueryDto) {
    return this.search.people(auth, q.q, q.limit);
  }

  @Get('groups')
  @ApiOperation({ summary: 'Group type-ahead: groups I can see whose name or description contains q' })
  groups(@CurrentAuth() auth: AuthContext, @Query() q: AutocompleteQueryDto) {
    return this.search.groupsMatching(auth, q.q, q.limit);
  }
}
