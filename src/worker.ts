import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { NestPinoLogger } from './common/logger.js';
import { prepareRuntime } from './runtime.js';

/** BullMQ consumers and job schedules. Needs REDIS_URL and DATABASE_URL; scale it horizontally. */
async function main(): Promise<void> {
  const { config, logger, databaseUrl } = await prepareRuntime({ migrate: true, allowEmbedded: false });
  if (config.singleNode) {
    process.stderr.write('REDIS_URL is not set: in single-node mode the API process runs jobs itself; no worker is needed.\n');
    process.exit(78);
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, databaseUrl, logger, role: 'worker' }), {
    logger: new NestPinoLogger(logger),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'worker draining');
      void app.close().then(() => process.exit(0));
    });
  }
  logger.info('Chorus worker started');
}

main().catch((error: unknown) => {
  process.stderr.write(`Chorus worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
