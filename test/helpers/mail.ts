import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  envelopeFrom: string | null;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** Header lookup by lowercase name (the raw header value as parsed by mailparser). */
  header(name: string): string | undefined;
}

/**
 * The outbound side of a test: a real SMTP server on 127.0.0.1 that keeps every message Chorus
 * sends (point SMTP_URL at `url`). `waitFor` polls until a message matches.
 */
export class MailCatcher {
  readonly messages: CaughtMail[] = [];
  private server: SMTPServer | null = null;
  private port = 0;
  /** Make the next N deliveries fail with a 451, to test retries. */
  failNext = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.failNext > 0) {
            this.failNext--;
            const err = Object.assign(new Error('Try again later'), { responseCode: 451 });
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then((parsed) => {
            this.messages.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
              header: (name) => {
                const line = parsed.headerLines.find((h) => h.key === name.toLowerCase());
                return line ? line.line.slice(line.line.indexOf(':') + 1).trim() : undefined;
              },
            });
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  to(address: string): CaughtMail[] {
    return this.messages.filter((m) => m.envelopeTo.includes(address.toLowerCase()) || m.envelopeTo.includes(address));
  }

  async waitFor(predicate: (m: CaughtMail) => boolean, timeoutMs = 10_000): Promise<CaughtMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No matching email within ${timeoutMs} ms (${this.messages.length} caught)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** A DKIM key for a test domain and the DNS TXT record that publishes it. */
export function dkimKey(domain: string, selector = 'test'): { domain: string; selector: string; privateKey: string; txt: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { domain, selector, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), txt: `v=DKIM1; k=rsa; p=${der}` };
}

/**
 * A DNS resolver for mailauth with no network: TXT records from the map, everything else
 * "not found" (so SPF and DMARC find no policy unless a test publishes one).
 */
export function fakeResolver(txt: Record<string, string>): (name: string, rrtype: string) => Promise<string[][] | string[]> {
  return async (name: string, rrtype: string) => {
    const key = name.toLowerCase().replace(/\.$/, '');
    if (rrtype === 'TXT' && txt[key] !== undefined) return [[txt[key]]];
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

/** A real SMTP client session against the listener (nodemailer), optionally DKIM-signing. */
export function smtpClient(port: number, opts: { dkim?: { domainName: string; keySelector: string; privateKey: string }; requireTLS?: boolean } = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: !opts.requireTLS,
    requireTLS: opts.requireTLS ?? false,
    tls: { rejectUnauthorized: false },
    dkim: opts.dkim,
    // Each send opens its own session, as a remote MTA would.
    pool: false,
  });
}
