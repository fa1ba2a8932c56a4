import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { AppConfig, ConfigError } from './config/app-config.js';
import { createLogger } from './common/logger.js';
import { runMigrations } from './database/data-source.js';
import { EmbeddedDatabase } from './database/embedded-postgres.js';

export interface Runtime {
  config: AppConfig;
  logger: Logger;
  databaseUrl: string;
  embedded: EmbeddedDatabase | null;
}

/** Shared start-up for every entry point: config, logger, database (embedded if none given), migrations. */
export async function prepareRuntime(options: { migrate: boolean; allowEmbedded: boolean; logLevel?: string; logToStderr?: boolean }): Promise<Runtime> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the configuration table in README.md.\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(options.logLevel ?? config.env.LOG_LEVEL, options.logToStderr ? pino.destination(2) : undefined);
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.env.DATABASE_URL;
  if (databaseUrl === undefined) {
    if (!options.allowEmbedded) {
      process.stderr.write('DATABASE_URL is required for this process (the embedded database belongs to `npm start`).\n');
      process.exit(78);
    }
    embedded = new EmbeddedDatabase(config.env.DATA_DIR, config.env.EMBEDDED_PG_PORT, logger);
    databaseUrl = await embedded.start();
    if (config.env.SECRETS_KEY === undefined) config = await withLocalSecretsKey(config, logger);
  }
  if (options.migrate && config.env.MIGRATIONS_RUN) {
    const applied = await runMigrations(databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  return { config, logger, databaseUrl, embedded };
}

/**
 * Single-node mode only: a SECRETS_KEY kept in DATA_DIR/secrets.key (made on first start, mode
 * 0600), so a newcomer's `npm start` can seal export keys and OIDC secrets. Deployments set
 * SECRETS_KEY themselves.
 */
async function withLocalSecretsKey(config: AppConfig, logger: Logger): Promise<AppConfig> {
  const file = join(resolve(config.env.DATA_DIR), 'secrets.key');
  let key = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (!key) {
    await mkdir(resolve(config.env.DATA_DIR), { recursive: true });
    key = randomBytes(32).toString('base64');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => {
      key = (await readFile(file, 'utf8')).trim();
    });
    logger.warn({ file }, 'SECRETS_KEY not set: generated one for this single-node install (back this file up with the data)');
  }
  return new AppConfig({ ...config.env, SECRETS_KEY: key });
}
