import { Inject, Injectable } from '@nestjs/common';
import { App, LogLevel, type Logger as BoltLogger, type Receiver, type webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { AppConfig } from '../../../src/config/app-config.js';
import { SlackInstallations } from '../slack.types.js';
import type { SlackDelivery } from './slack-delivery.js';
import {
  SHARE_CALLBACK_ID,
  SlackInboundService,
  type SlackCommand,
  type SlackMessageEvent,
  type SlackMessageShortcut,
  type SlackShareSubmission,
} from './slack-inbound.service.js';

/**
 * Bolt is not an HTTP server here: our controller verifies, stores and acknowledges each delivery,
 * and the inbox job hands the stored body to this App through `processEvent` (a receiver that
 * never listens). So Bolt does the routing (events, commands, shortcuts, views), the ignoring of
 * our own bot's messages and the per-team Web API client, while the 200 Slack needs within three
 * seconds never waits for posting.
 */
@Injectable()
export class SlackBoltApp {
  private readonly app: App;
  /** authorize() sees only the body: the installation of the delivery being processed, by body. */
  private readonly inFlight = new WeakMap<object, SlackDelivery>();

  constructor(
    config: AppConfig,
    private readonly inbound: SlackInboundService,
    private readonly installations: SlackInstallations,
    @Inject(LOGGER) log: Logger,
  ) {
    this.app = new App({
      receiver: new StoredDeliveryReceiver(),
      logger: boltLogger(log.child({ component: 'slack-bolt' })),
      authorize: async (_source, body) => {
        const d = body ? this.inFlight.get(body) : undefined;
        if (!d) throw new Error('No stored delivery for this body');
        const i = d.installation;
        return { botToken: i.botToken, botId: i.botId ?? undefined, botUserId: i.botUserId ?? undefined, teamId: i.teamId };
      },
      // Transient Slack errors (429, 5xx) fail the job and BullMQ retries it with backoff.
      clientOptions: { slackApiUrl: config.env.SLACK_API_URL, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    });
    // Errors reach the inbox job, which records them and lets the queue retry.
    this.app.error(async (error) => {
      throw (error as { original?: unknown }).original ?? error;
    });
    this.listen();
  }

  /** Runs one stored delivery through the listeners; resolves when they have finished. */
  async process(d: SlackDelivery, body: Record<string, unknown>): Promise<void> {
    this.inFlight.set(body, d);
    await this.app.processEvent({ body, ack: async () => undefined, customProperties: { delivery: d } });
  }

  private listen(): void {
    const delivery = (context: Record<string, unknown>) => context.delivery as SlackDelivery;
    this.app.event('message', async ({ event, context, client }) => {
      await this.inbound.message(delivery(context), client as webApi.WebClient, event as unknown as SlackMessageEvent);
    });
    // Uninstalled, or the bot token revoked at Slack: disconnect here too (links go; audited).
    this.app.event('app_uninstalled', async ({ context }) => {
      const d = delivery(context);
      await this.installations.revokedBySlack(d.orgId, d.installation.id, 'app_uninstalled');
      d.outcome = { status: 'done', error: null };
    });
    this.app.event('tokens_revoked', async ({ event, context }) => {
      const d = delivery(context);
      const bots = (event as unknown as { tokens?: { bot?: string[] } }).tokens?.bot ?? [];
      if (d.installation.botUserId && bots.includes(d.installation.botUserId)) {
        await this.installations.revokedBySlack(d.orgId, d.installation.id, 'tokens_revoked');
        d.outcome = { status: 'done', error: null };
      }
    });
    this.app.command('/chorus', async ({ command, ack, context, client }) => {
      await ack();
      await this.inbound.command(delivery(context), client as webApi.WebClient, command as unknown as SlackCommand);
    });
    this.app.shortcut({ callback_id: 'share_to_chorus', type: 'message_action' }, async ({ shortcut, ack, context, client }) => {
      await ack();
      await this.inbound.shareShortcut(delivery(context), client as webApi.WebClient, shortcut as unknown as SlackMessageShortcut);
    });
    this.app.view({ callback_id: SHARE_CALLBACK_ID, type: 'view_submission' }, async ({ body, ack, context, client }) => {
      await ack();
      await this.inbound.shareSubmission(delivery(context), client as webApi.WebClient, body as unknown as SlackShareSubmission);
    });
  }
}

/** Deliveries come from the inbox, not from a socket: nothing to start or stop. */
class StoredDeliveryReceiver implements Receiver {
  init(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

function boltLogger(log: Logger): BoltLogger {
  return {
    debug: (...msg: unknown[]) => log.debug(msg.map(String).join(' ')),
    info: (...msg: unknown[]) => log.info(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => log.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => log.error(msg.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
