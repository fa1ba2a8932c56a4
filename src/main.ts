import 'reflect-metadata';
import { EmailSmtpListener } from '../integrations/email/inbound/email-smtp-listener.js';
import { createHttpApp } from './http-app.js';
import { prepareRuntime } from './runtime.js';

/** HTTP API. With no DATABASE_URL it starts an embedded PostgreSQL under DATA_DIR. */
async function main(): Promise<void> {
  const { config, logger, databaseUrl, embedded } = await prepareRuntime({ migrate: true, allowEmbedded: true });
  if (!config.env.MIGRATIONS_RUN) logger.info('MIGRATIONS_RUN=false: expecting `npm run migration:run` to have been run');
  const app = await createHttpApp(config, databaseUrl, logger);
  const stopEmbedded = async () => {
    if (embedded) await embedded.stop().catch((err: unknown) => logger.error({ err }, 'embedded PostgreSQL did not stop cleanly'));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      void app.close().then(stopEmbedded).then(() => process.exit(0));
    });
  }
  await app.listen(config.env.PORT, config.env.HOST);
  // Single node: this process is also the mail listener (a deployment runs `npm run start:mail`).
  if (config.singleNode && config.env.POSTING_DOMAIN) await app.get(EmailSmtpListener).start();
  logger.info(
    { url: `http://${config.env.HOST}:${config.env.PORT}`, database: embedded ? 'embedded' : 'external', jobs: config.singleNode ? 'in-process' : 'bullmq' },
    'Chorus API listening',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`Chorus failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
