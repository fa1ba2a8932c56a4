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
  }
  if (options.migrate && config.env.MIGRATIONS_RUN) {
    const applied = await runMigrations(databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  return { config, logger, databaseUrl, embedded };
}
