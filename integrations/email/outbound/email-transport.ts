import { readFileSync } from 'node:fs';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { AppConfig } from '../../../src/config/app-config.js';

/**
 * The one SMTP connection pool of this process to SMTP_URL (made on first use), signing with
 * DKIM when EMAIL_DKIM_DOMAIN, _SELECTOR and _PRIVATE_KEY_FILE are all set.
 */
@Injectable()
export class EmailTransport implements OnApplicationShutdown {
  private transporter: Transporter | null = null;

  constructor(private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.env.SMTP_URL !== undefined;
  }

  /** The From of every email. */
  get from(): string {
    return this.config.env.EMAIL_FROM ?? `Chorus <notifications@${this.config.env.POSTING_DOMAIN ?? 'localhost'}>`;
  }

  /** The domain our Message-IDs are made under: the From address's. */
  get messageIdDomain(): string {
    const address = /<([^<>]+)>/.exec(this.from)?.[1] ?? this.from;
    return address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase() || 'localhost';
  }

  async send(message: SendMailOptions): Promise<void> {
    await this.transport().sendMail({ ...message, from: this.from });
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
    this.transporter = null;
  }

  private transport(): Transporter {
    if (!this.transporter) {
      const env = this.config.env;
      const dkim =
        env.EMAIL_DKIM_DOMAIN && env.EMAIL_DKIM_SELECTOR && env.EMAIL_DKIM_PRIVATE_KEY_FILE
          ? { domainName: env.EMAIL_DKIM_DOMAIN, keySelector: env.EMAIL_DKIM_SELECTOR, privateKey: readFileSync(env.EMAIL_DKIM_PRIVATE_KEY_FILE, 'utf8') }
          : undefined;
      this.transporter = nodemailer.createTransport({
        url: env.SMTP_URL,
        pool: true,
        maxConnections: 5,
        connectionTimeout: 30_000,
        greetingTimeout: 30_000,
        socketTimeout: 60_000,
        dkim,
      });
    }
    return this.transporter;
  }
}
