import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { Histogram, register } from 'prom-client';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { httpLogger, NestPinoLogger } from './common/logger.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { validationPipe } from './common/validation.js';

const httpDuration =
  (register.getSingleMetric('chorus_http_request_duration_seconds') as Histogram<string> | undefined) ??
  new Histogram({
    name: 'chorus_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

function requestMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = (req.route as { path?: string } | undefined)?.path;
    end({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
  });
  next();
}

/** Every operation can fail with problem+json; document the shape once and reference it everywhere. */
function withProblemResponses(doc: OpenAPIObject): OpenAPIObject {
  doc.components = doc.components ?? {};
  doc.components.schemas = {
    ...doc.components.schemas,
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details; switch on `code`, which is stable.',
      required: ['type', 'title', 'status', 'code', 'detail'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        code: { type: 'string', example: 'validation_failed' },
        detail: { type: 'string' },
        instance: { type: 'string' },
        requestId: { type: 'string' },
        errors: {
          type: 'array',
          items: { type: 'object', properties: { field: { type: 'string' }, messages: { type: 'array', items: { type: 'string' } } } },
        },
      },
    },
  };
  const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  for (const item of Object.values(doc.paths)) {
    for (const op of [item.get, item.post, item.put, item.patch, item.delete]) {
      if (!op) continue;
      op.responses = { ...op.responses, '4XX': { description: 'Client error (problem+json)', ...problem }, '5XX': { description: 'Server error', ...problem } };
    }
  }
  return doc;
}

/** Builds the HTTP app exactly as production runs it; tests call this too. */
export async function createHttpApp(config: AppConfig, databaseUrl: string, logger: Logger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl, logger, role: 'api' }), {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
  });
  app.set('trust proxy', config.env.TRUST_PROXY);
  app.disable('x-powered-by');
  app.use(httpLogger(logger));
  app.use(requestMetrics);
  app.use(helmet());
  app.use(cookieParser());
  serveWebApp(app, resolve(config.env.WEB_DIR));
  // Bridges (Slack, mail providers) verify signatures over the exact bytes: they get the raw body.
  // A provider's inbound-email webhook carries a whole message (base64 and form overhead on top of EMAIL_MAX_BYTES).
  app.use('/integrations/email/inbound', express.raw({ type: () => true, limit: Math.ceil(config.env.EMAIL_MAX_BYTES * 1.4) + 64 * 1024 }));
  app.use('/integrations', express.raw({ type: () => true, limit: config.env.BODY_LIMIT_BYTES }));
  app.useBodyParser('json', { limit: config.env.BODY_LIMIT_BYTES, strict: true, type: ['application/json', 'application/*+json'] });
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(logger));

  const openapi = new DocumentBuilder()
    .setTitle('Chorus API')
    .setDescription('Enterprise microblogging. Errors are RFC 9457 problem+json with a stable `code`.')
    .setVersion('v1')
    .addCookieAuth('chorus_session')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Personal API token (chorus_…)' })
    .build();
  SwaggerModule.setup('api/docs', app, () => withProblemResponses(SwaggerModule.createDocument(app, openapi)), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
  return app;
}

/** Paths the server answers itself; every other GET that wants HTML is the web app's. */
const SERVER_PATHS = /^\/(api|auth|scim|integrations|email|healthz|readyz|metrics)(\/|$)/;

/**
 * The web app (built by Vite into WEB_DIR): hashed assets cached for a year, and index.html for
 * every page address so the browser's router takes over. Absent (a server-only build), nothing is served.
 */
function serveWebApp(app: NestExpressApplication, webDir: string): void {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) return;
  app.use('/assets', express.static(join(webDir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: false }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path) || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
