import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, type Observable } from 'rxjs';
import { AppConfig } from '../config/app-config.js';
import { badRequest, DomainError } from '../common/domain-error.js';
import { attachmentTooLarge } from './attachment.service.js';

/**
 * Wraps FileInterceptor (bound after it): refuses a body declared as anything but
 * multipart/form-data before multer runs, and turns multer's errors for an oversized file or a
 * file in the wrong field into our stable codes. Multer keeps nothing of a rejected request
 * (memory storage).
 */
@Injectable()
export class MultipartUploadInterceptor implements NestInterceptor {
  constructor(private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    // A request that names no type carries no file: the service answers file_required.
    if (req.headers['content-type'] !== undefined && !req.is('multipart/form-data')) {
      throw new DomainError(415, 'unsupported_media_type', 'Upload the file as multipart/form-data in the field "file"');
    }
    return next.handle().pipe(
      catchError((error: unknown) => {
        const code = error instanceof HttpException ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
        if (code === 'LIMIT_FILE_SIZE') throw attachmentTooLarge(this.config.env.ATTACHMENT_MAX_BYTES);
        if (code === 'LIMIT_UNEXPECTED_FILE') throw badRequest('file_required', 'Send the file in the multipart field "file"');
        throw error;
      }),
    );
  }
}
