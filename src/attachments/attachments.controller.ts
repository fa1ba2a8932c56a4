import { Controller, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth, type AuthContext } from '../identity/auth-context.js';
import { AttachmentService, type UploadedFileBytes } from './attachment.service.js';
import { MultipartUploadInterceptor } from './multipart-upload.interceptor.js';

@ApiTags('attachments')
@Controller('api/v1/attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentService) {}

  @Post()
  @ApiOperation({
    summary: 'Upload a file to attach to a post later: PNG, JPEG, GIF, WebP, PDF, DOCX, XLSX, PPTX or UTF-8 text, by its bytes',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(MultipartUploadInterceptor, FileInterceptor('file'))
  upload(@CurrentAuth() auth: AuthContext, @UploadedFile() file: UploadedFileBytes | undefined) {
    return this.attachments.upload(auth, file);
  }
}
