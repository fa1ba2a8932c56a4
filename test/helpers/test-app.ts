import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import type { Server } from 'node:http';
import { AppConfig, type Env } from '../../src/config/app-config.js';
import { createLogger } from '../../src/common/logger.js';
import { createHttpApp } from '../../src/http-app.js';
import { runMigrations } from '../../src/database/data-source.js';
import { Factory } from '../factories/factory.js';

export interface TestApp {
  app: INestApplication;
  http: Server;
  factory: Factory;
  /** Superuser connection to the test database, for setting up and inspecting what the app cannot. */
  superuser: pg.Client;
  close(): Promise<void>;
}

/** Boots the real HTTP app (same wiring as production) against the run's database and Redis. */
export async function startTestApp(
  overrides: Partial<Record<keyof Env, string>> = {},
  logger = createLogger(process.env.LOG_LEVEL ?? 'silent'),
): Promise<TestApp> {
  const config = AppConfig.fromEnvironment(process.env, overrides);
  const databaseUrl = config.env.DATABASE_URL!;
  await runMigrations(databaseUrl);
  const app = await createHttpApp(config, databaseUrl, logger);
  await app.init();
  const http = app.getHttpServer() as Server;
  const superuser = new pg.Client({ connectionString: databaseUrl });
  await superuser.connect();
  return {
    app,
    http,
    superuser,
    factory: new Factory(app, http),
    async close() {
      await superuser.end();
      await app.close();
    },
  };
}

export const api = (http: Server) => request(http);
