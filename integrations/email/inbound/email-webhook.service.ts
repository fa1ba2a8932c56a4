import { Inject, Injectable } from '@nestjs/common';
import busboy from 'busboy';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../src/config/app-config.js';
import { LOGGER } from '../../../src/common/logger.module.js';
import { UserService } from '../../../src/identity/user.service.js';
import { bareAddress } from '../email-addresses.js';
import { EmailError, EmailErrorCode } from '../email-error.js';
import { EmailOutboxService } from '../outbound/email-outbox.service.js';
import { EmailIntake, readHeaders, type IntakeResult, type MessageHeaders } from './email-intake.service.js';
import { EmailRecipients, type ResolvedRecipient } from './email-recipients.service.js';

export interface WebhookDelivery {
  raw: Buffer;
  /** Envelope recipients the provider reports (else the message's To, Cc and Delivered-To are used). */
  recipients: string[];
  envelopeFrom: string | null;
  senderIp: string | null;
}

export type WebhookAnswer = (IntakeResult & { status: 'accepted' }) | { status: 'refused'; code: string; detail: string };

/**
 * POST /integrations/email/inbound: a mail provider's inbound-parse webhook hands us a message
 * it received for our MX. Authenticated by the shared EMAIL_WEBHOOK_SECRET (Bearer, or Basic with
 * the secret as password, which providers such as SendGrid put in the URL). Three body shapes:
 * raw MIME (message/rfc822), SendGrid's "raw" form (`email`, `envelope`, `sender_ip`) and
 * Mailgun's MIME form (`body-mime`, `recipient`, `sender`). The message then goes through the same
 * intake as SMTP. A refused message is answered 200 with the reason (the provider must not retry
 * it); its sender, when an active user, is told by email. Our own failures are 5xx (retry).
 */
@Injectable()
export class EmailWebhookService {
  constructor(
    private readonly config: AppConfig,
    private readonly recipients: EmailRecipients,
    private readonly intake: EmailIntake,
    private readonly users: UserService,
    private readonly outbox: EmailOutboxService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  authenticate(authorization: string | undefined): void {
    const secret = this.config.env.EMAIL_WEBHOOK_SECRET;
    if (!secret) throw new EmailError(EmailErrorCode.NotConfigured, 'The inbound email webhook is not configured (EMAIL_WEBHOOK_SECRET)');
    const presented = presentedSecret(authorization);
    const digest = (v: string) => createHash('sha256').update(v).digest();
    if (presented === null || !timingSafeEqual(digest(presented), digest(secret))) {
      throw new EmailError(EmailErrorCode.WebhookUnauthorized, 'Missing or wrong webhook secret');
    }
  }

  async parse(body: Buffer, contentType: string | undefined, query: Record<string, unknown>): Promise<WebhookDelivery> {
    const fromQuery = [query.recipient, query.to].flat().filter((v): v is string => typeof v === 'string').flatMap(splitList);
    if (contentType?.toLowerCase().startsWith('multipart/form-data')) {
      const fields = await formFields(body, contentType);
      const raw = fields.email ?? fields['body-mime'];
      if (!raw) throw new EmailError(EmailErrorCode.MessageInvalid, 'The form has no raw message (field "email" or "body-mime")');
      const envelope = parseEnvelope(fields.envelope);
      return {
        raw: Buffer.from(raw, 'utf8'),
        recipients: [...fromQuery, ...envelope.to, ...splitList(fields.recipient ?? '')],
        envelopeFrom: envelope.from ?? fields.sender ?? null,
        senderIp: fields.sender_ip ?? null,
      };
    }
    if (body.length === 0) throw new EmailError(EmailErrorCode.MessageInvalid, 'The request has no message');
    return { raw: body, recipients: fromQuery, envelopeFrom: typeof query.sender === 'string' ? query.sender : null, senderIp: null };
  }

  async receive(d: WebhookDelivery): Promise<WebhookAnswer> {
    if (d.raw.length > this.config.env.EMAIL_MAX_BYTES) {
      return this.refused(new EmailError(EmailErrorCode.TooLarge, `Message too large: at most ${this.config.env.EMAIL_MAX_BYTES} bytes are accepted`), [], null);
    }
    let headers: MessageHeaders;
    try {
      headers = await readHeaders(d.raw);
    } catch (error) {
      if (error instanceof EmailError) return this.refused(error, [], null);
      throw error;
    }
    const resolved: ResolvedRecipient[] = [];
    const addresses = d.recipients.length > 0 ? d.recipients : headers.recipients;
    for (const address of new Set(addresses.map((a) => a.toLowerCase()))) {
      const r = await this.recipients.resolve(address).catch((e: unknown) => {
        if (e instanceof EmailError && e.emailCode !== EmailErrorCode.NotConfigured) return null;
        throw e;
      });
      if (r && !resolved.some((x) => x.orgId === r.orgId && x.targetKey === r.targetKey)) resolved.push(r);
    }
    try {
      const result = await this.intake.accept(d.raw, resolved, { ip: d.senderIp, helo: null, envelopeFrom: d.envelopeFrom }, 'webhook', headers);
      return { status: 'accepted', ...result };
    } catch (error) {
      if (error instanceof EmailError && error.status < 500 && error.emailCode !== EmailErrorCode.RateLimited) return this.refused(error, resolved, headers);
      throw error;
    }
  }

  /**
   * A refusal with no SMTP session to carry it: the sender is told by email, but only when the
   * From address is an active user of an org the message was for (never backscatter to strangers).
   */
  private async refused(error: EmailError, resolved: ResolvedRecipient[], headers: MessageHeaders | null): Promise<WebhookAnswer> {
    this.log.info({ code: error.code }, 'webhook email refused');
    if (headers && !headers.autoSubmitted) {
      for (const orgId of new Set(resolved.map((r) => r.orgId))) {
        const user = await this.users.findByEmail(orgId, headers.from);
        if (!user || user.status !== 'active') continue;
        await this.outbox.queueBounce(orgId, {
          to: user.email,
          userId: user.id,
          code: error.code,
          reason: error.message,
          originalSubject: headers.subject,
          originalMessageId: headers.messageId,
          target: resolved.find((r) => r.orgId === orgId)!.address,
          dedupeKey: `bounce:webhook:${createHash('sha256').update(`${headers.messageId}:${error.code}`).digest('hex')}`,
        });
        break;
      }
    }
    return { status: 'refused', code: error.code, detail: error.message };
  }
}

function presentedSecret(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const [scheme, value] = authorization.split(/\s+/, 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? null : decoded.slice(colon + 1);
  }
  return null;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => bareAddress(v))
    .filter((v) => v.includes('@'));
}

function parseEnvelope(json: string | undefined): { to: string[]; from: string | null } {
  if (!json) return { to: [], from: null };
  try {
    const env = JSON.parse(json) as { to?: unknown; from?: unknown };
    const to = Array.isArray(env.to) ? env.to.filter((t): t is string => typeof t === 'string').flatMap(splitList) : [];
    return { to, from: typeof env.from === 'string' ? env.from : null };
  } catch {
    throw new EmailError(EmailErrorCode.MessageInvalid, 'The "envelope" field is not JSON');
  }
}

/** The text fields of a multipart form held in memory (bounded by the route's body limit). */
function formFields(body: Buffer, contentType: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fields: 50, fieldSize: body.length, files: 20 } });
    } catch {
      reject(new EmailError(EmailErrorCode.MessageInvalid, 'The multipart form is malformed'));
      return;
    }
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream) => {
      // A provider sending the message as a file part: read it as the field of that name.
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (fields[name] = Buffer.concat(chunks).toString('utf8')));
    });
    parser.on('error', () => reject(new EmailError(EmailErrorCode.MessageInvalid, 'The multipart form is malformed')));
    parser.on('close', () => resolve(fields));
    parser.end(body);
  });
}
