import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError } from './domain-error.js';

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [key: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** body-parser error types (`err.type`) and what we answer for each. */
const BODY_PARSER_CODES: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'payload_too_large', 'The request body is larger than the server accepts'],
  'entity.parse.failed': [400, 'malformed_json', 'The request body is not valid JSON'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'The request body encoding is not supported'],
  'charset.unsupported': [415, 'unsupported_charset', 'The request body charset is not supported'],
  'request.aborted': [400, 'request_aborted', 'The request was aborted'],
};

/** RFC 9457 problem+json for every error, with a stable `code` clients can switch on. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = this.toProblem(exception);
    problem.instance = req.originalUrl?.split('?')[0];
    const requestId = (req as Request & { id?: unknown }).id;
    if (requestId !== undefined) problem.requestId = String(requestId);
    if (problem.status >= 500) this.log.error({ err: exception, requestId }, 'unhandled error');
    if (res.headersSent) return;
    const retryAfter = problem.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof DomainError) {
      return this.problem(exception.status, exception.code, exception.message, exception.extra);
    }
    // Body-parser errors arrive raw or (Nest 12) wrapped in an HttpException as its cause.
    const bodyError = (exception instanceof HttpException ? exception.cause : exception) as { type?: unknown } | undefined;
    if (typeof bodyError?.type === 'string' && BODY_PARSER_CODES[bodyError.type]) {
      const [status, code, detail] = BODY_PARSER_CODES[bodyError.type];
      return this.problem(status, code, detail);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const fromBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      if (typeof fromBody.code === 'string') {
        const { code, message, ...rest } = fromBody;
        return this.problem(status, code, String(message ?? exception.message), rest);
      }
      const detail = Array.isArray(fromBody.message) ? 'The request is not valid' : String(fromBody.message ?? exception.message);
      const extra = Array.isArray(fromBody.message) ? { errors: fromBody.message } : {};
      const code = status === 404 && detail.startsWith('Cannot ') ? 'route_not_found' : (HTTP_CODES[status] ?? 'error');
      return this.problem(status, code, detail, extra);
    }
    return this.problem(HttpStatus.INTERNAL_SERVER_ERROR, 'internal_error', 'Something went wrong on our side');
  }

  private problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
    return {
      type: `https://chorus.dev/problems/${code.replace(/_/g, '-')}`,
      title: TITLES[status] ?? 'Error',
      status,
      code,
      detail,
      ...extra,
    };
  }
}
