import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { PostService } from './post.service.js';

/** Images that browsers may show inline; everything else downloads. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Downloads live with posts because who may read an attachment is who may read its post. */
@ApiTags('attachments')
@Controller('api/v1/attachments')
export class AttachmentContentController {
  constructor(private readonly posts: PostService) {}

  @Get(':id/content')
  @ApiOperation({ summary: "An attachment's bytes, for those who can see its post" })
  async content(@CurrentAuth() auth: AuthContext, @Param('id', UuidParam) id: string, @Res() res: Response): Promise<void> {
    const { attachment, stream } = await this.posts.openAttachment(auth, id);
    // res.attachment() guesses a type from the file name, so it goes first and ours wins.
    if (INLINE.has(attachment.contentType)) res.setHeader('Content-Disposition', 'inline');
    else res.attachment(attachment.fileName);
    res.setHeader('Content-Type', attachment.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : attachment.contentType);
    res.setHeader('Content-Length', String(attachment.sizeBytes));
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('ETag', `"${attachment.sha256}"`);
    stream.on('error', () => (res.headersSent ? res.destroy() : res.status(410).end()));
    stream.pipe(res);
  }
}
