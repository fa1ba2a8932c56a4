import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { EmailSmtpListener } from '../integrations/email/inbound/email-smtp-listener.js';
import { AppModule } from './app.module.js';
import { NestPinoLogger } from './common/logger.js';
import { prepareRuntime } from './runtime.js';

/**
 * The inbound SMTP listener (`npm run start:mail`): receives mail for the posting domain, stores
 * each accepted message and queues its processing. Needs DATABASE_URL and POSTING_DOMAIN; with
 * REDIS_URL the worker processes the messages, without it this process does. Scale it
 * horizontally behind the MX records.
 */
async function main(): Promise<void> {
  const { config, logger, databaseUrl } = await prepareRuntime({ migrate: false, allowEmbedded: false });
  if (!config.env.POSTING_DOMAIN) {
    process.stderr.write('POSTING_DOMAIN is not set: the mail listener needs the domain posting addresses live under (see README, "Posting by email").\n');
    process.exit(78);
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, databaseUrl, logger, role: 'mail' }), {
    logger: new NestPinoLogger(logger),
  });
  const listener = app.get(EmailSmtpListener);
  await listener.start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'mail listener closing');
      // Stop taking connections, let sessions in progress finish, then drain queued work.
      void listener
        .stop()
        .then(() => app.close())
        .then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Chorus mail listener failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
