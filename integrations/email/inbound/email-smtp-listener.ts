import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { AppConfig } from '../../../src/config/app-config.js';
import { DomainError } from '../../../src/common/domain-error.js';
import { LOGGER } from '../../../src/common/logger.module.js';
import { EmailError, EmailErrorCode, SMTP_REPLY } from '../email-error.js';
import { EmailIntake } from './email-intake.service.js';
import { EmailRateLimits } from './email-rate-limits.js';
import { EmailRecipients, type ResolvedRecipient } from './email-recipients.service.js';

/** Most recipients one message may have (RFC 5321 asks servers to take at least 100). */
const MAX_RECIPIENTS = 100;

type SmtpError = Error & { responseCode: number };

/**
 * The inbound SMTP listener (`npm run start:mail`): refuses unknown recipients at RCPT (550),
 * oversized messages at DATA (552), senders and orgs over their hourly budget (450), and answers
 * 250 only once the message is stored (EmailIntake). STARTTLS when a certificate is configured;
 * no AUTH (it receives mail for our domains like any MX).
 */
@Injectable()
export class EmailSmtpListener implements OnApplicationShutdown {
  private server: SMTPServer | null = null;
  /** Recipients resolved at RCPT, per session (a session can carry several transactions). */
  private readonly resolved = new Map<string, ResolvedRecipient[]>();

  constructor(
    private readonly config: AppConfig,
    private readonly recipients: EmailRecipients,
    private readonly intake: EmailIntake,
    private readonly limits: EmailRateLimits,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Starts listening; resolves with the bound port (SMTP_PORT=0 picks a free one). */
  async start(port = this.config.env.SMTP_PORT, host = this.config.env.SMTP_HOST): Promise<number> {
    void this.recipients.postingDomain; // refuse to start without POSTING_DOMAIN
    const { SMTP_TLS_CERT_FILE, SMTP_TLS_KEY_FILE, EMAIL_MAX_BYTES } = this.config.env;
    const tls = SMTP_TLS_CERT_FILE && SMTP_TLS_KEY_FILE ? { cert: readFileSync(SMTP_TLS_CERT_FILE), key: readFileSync(SMTP_TLS_KEY_FILE) } : null;
    this.server = new SMTPServer({
      name: this.config.env.SMTP_SERVER_NAME ?? hostname(),
      banner: 'Chorus ESMTP',
      size: EMAIL_MAX_BYTES,
      secure: false,
      ...(tls ?? {}),
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      maxClients: 500,
      socketTimeout: 60_000,
      closeTimeout: 30_000,
      onMailFrom: (address, session, callback) => void this.mailFrom(address, session).then(() => callback(), (e: unknown) => callback(this.smtpError(e))),
      onRcptTo: (address, session, callback) => void this.rcptTo(address, session).then(() => callback(), (e: unknown) => callback(this.smtpError(e))),
      onData: (stream, session, callback) => void this.data(stream, session).then((msg) => callback(null, msg), (e: unknown) => callback(this.smtpError(e))),
      onClose: (session) => this.resolved.delete(session.id),
    });
    this.server.on('error', (err) => this.log.warn({ err }, 'smtp connection error'));
    await new Promise<void>((resolve, reject) => {
      this.server!.server.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const bound = (this.server.server.address() as AddressInfo).port;
    this.log.info({ host, port: bound, starttls: Boolean(tls), maxBytes: EMAIL_MAX_BYTES }, 'Chorus mail listener started');
    return bound;
  }

  /** Stops accepting connections and waits (up to closeTimeout) for sessions in progress. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async mailFrom(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    this.resolved.set(session.id, []);
    if (address.address) await this.limits.checkSender(address.address);
  }

  private async rcptTo(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const list = this.resolved.get(session.id) ?? [];
    if (list.length >= MAX_RECIPIENTS) throw Object.assign(new Error('4.5.3 Too many recipients'), { responseCode: 452 });
    const recipient = await this.recipients.resolve(address.address);
    await this.limits.checkOrg(recipient.orgId);
    // The same target twice (To and Cc of one group) is one post.
    if (!list.some((r) => r.orgId === recipient.orgId && r.targetKey === recipient.targetKey)) list.push(recipient);
    this.resolved.set(session.id, list);
  }

  private async data(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // Past the limit the rest is read and dropped (the client is still sending it).
      if (size <= this.config.env.EMAIL_MAX_BYTES) chunks.push(chunk);
      size += chunk.length;
    }
    if (stream.sizeExceeded || size > this.config.env.EMAIL_MAX_BYTES) {
      throw new EmailError(EmailErrorCode.TooLarge, `Message too large: at most ${this.config.env.EMAIL_MAX_BYTES} bytes are accepted`);
    }
    const recipients = this.resolved.get(session.id) ?? [];
    this.resolved.set(session.id, []);
    const mailFrom = session.envelope.mailFrom;
    const result = await this.intake.accept(
      Buffer.concat(chunks),
      recipients,
      { ip: session.remoteAddress ?? null, helo: session.hostNameAppearsAs ?? null, envelopeFrom: mailFrom ? mailFrom.address || null : null },
      'smtp',
    );
    return result.dropped ? `2.0.0 Accepted (${result.dropped}, not posted)` : `2.0.0 Accepted ${result.messageId}`;
  }

  /** Our refusals as SMTP replies ("550 5.1.1 …"); anything unexpected is a temporary failure, so the sender retries. */
  private smtpError(error: unknown): SmtpError {
    if (error instanceof EmailError) {
      const reply = SMTP_REPLY[error.emailCode] ?? { code: 550, enhanced: '5.7.1' };
      return Object.assign(new Error(`${reply.enhanced} ${error.message}`), { responseCode: reply.code });
    }
    if (error instanceof DomainError && error.status < 500) {
      return Object.assign(new Error(`5.7.1 ${error.message}`), { responseCode: 550 });
    }
    if ((error as SmtpError).responseCode) return error as SmtpError;
    this.log.error({ err: error }, 'smtp transaction failed');
    return Object.assign(new Error('4.3.0 Temporary failure, try again later'), { responseCode: 451 });
  }
}
