import { Inject, Injectable } from '@nestjs/common';
import { LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from 'pino';
import { LOGGER } from '../../../src/common/logger.module.js';
import { AppConfig } from '../../../src/config/app-config.js';

/**
 * Web API clients at SLACK_API_URL. The client's own retries are off and rate-limited calls are
 * rejected: callers decide how long a 429 may hold them (the mirror job waits a bounded
 * Retry-After, then lets BullMQ back off), rather than the client sleeping for up to 30 minutes.
 */
@Injectable()
export class SlackWebApi {
  private readonly logger: SlackLogger;

  constructor(
    private readonly config: AppConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    this.logger = slackLogger(log.child({ component: 'slack-web-api' }));
  }

  client(token?: string): WebClient {
    return new WebClient(token, {
      slackApiUrl: this.config.env.SLACK_API_URL,
      logger: this.logger,
      logLevel: LogLevel.WARN,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 15_000,
    });
  }
}

/** The Web API client's log lines into ours (they carry method names and errors, never tokens). */
function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.WARN;
  const write = (fn: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => log[fn](msg.map(String).join(' '));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
