import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { LOGGER } from '../../common/logger.module.js';
import { DomainError } from '../../common/domain-error.js';
import { ScimError, ScimType } from './scim-error.js';
import { SCIM, SCIM_CONTENT_TYPE } from './scim-schemas.js';

/**
 * SCIM clients read errors in SCIM's format, not problem+json: this filter is scoped to the
 * SCIM controllers (guards included), and the global filter answers everything else.
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request & { id?: unknown }>();
    const [status, scimType, detail] = this.describe(exception);
    if (status >= 500) this.log.error({ err: exception, requestId: req.id }, 'unhandled SCIM error');
    if (res.headersSent) return;
    const body: Record<string, unknown> = { schemas: [SCIM.Error], status: String(status), detail };
    if (scimType) body.scimType = scimType;
    res.status(status).setHeader('Content-Type', SCIM_CONTENT_TYPE);
    res.send(JSON.stringify(body));
  }

  private describe(exception: unknown): [number, ScimType | null, string] {
    if (exception instanceof ScimError) return [exception.status, exception.scimType, exception.message];
    if (exception instanceof DomainError) {
      const type = exception.code.endsWith('_taken') ? ScimType.Uniqueness : exception.status === 400 ? ScimType.InvalidValue : null;
      return [exception.status, type, exception.message];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, status === 400 ? ScimType.InvalidSyntax : null, exception.message];
    }
    return [500, null, 'Something went wrong on our side'];
  }
}
