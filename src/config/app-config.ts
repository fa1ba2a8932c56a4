import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(min).max(max);

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

/** Every setting Chorus reads; the README's configuration table mirrors this schema. */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(1, 65535).default(3000),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  DATA_DIR: z.string().min(1).default('./var'),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  MIGRATIONS_RUN: bool.default(true),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /** Namespace of every Redis key Chorus writes (BullMQ queues, rate limits). */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]{1,40}$/i, 'must be 1-40 letters, digits, _ or -').default('chorus'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  BODY_LIMIT_BYTES: int(1024, 50 * 1024 * 1024).default(256 * 1024),
  SESSION_TTL_HOURS: int(1, 24 * 90).default(24 * 7),
  SESSION_IDLE_HOURS: int(1, 24 * 90).default(24),
  COOKIE_SECURE: bool.optional(),
  LOGIN_MAX_FAILURES: int(1, 1000).default(5),
  LOGIN_WINDOW_SECONDS: int(1, 86400).default(900),
  LOGIN_MAX_PER_IP: int(1, 100000).default(100),
  /** SSO responses (SAML ACS posts) per client IP per LOGIN_WINDOW_SECONDS. */
  SSO_MAX_PER_IP: int(1, 100000).default(60),
  /** Where LocalDiskStorage keeps uploaded attachments (`<orgId>/<uuid>` below it). */
  ATTACHMENT_DIR: z.string().min(1).default('./var/attachments'),
  /** Uploads are held in memory while their type is checked, so this stays bounded (1 KiB to 100 MiB). */
  ATTACHMENT_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Where finished compliance export bundles are kept (and their working files while they are built). */
  EXPORT_DIR: z.string().min(1).default('./var/exports'),
  /** Days a finished export bundle can be downloaded before the housekeeping job deletes it. */
  EXPORT_TTL_DAYS: int(1, 365).default(7),
  /** When (UTC, HH:MM) the daily retention sweep of every org starts. */
  RETENTION_SWEEP_AT_UTC: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (UTC, 24-hour)').default('03:15'),
  /**
   * Lock of a running compliance job (sweep, export): renewed every half of it while the worker
   * lives; once it lapses (the worker died) another worker takes the job over.
   */
  COMPLIANCE_JOB_LOCK_SECONDS: int(2, 3600).default(60),
  /**
   * Posts deleted per retention-sweep transaction. Throughput hardly depends on it (the cost is per
   * post); smaller batches hold locks for less time: on the 2M-post benchmark 500 gave a longest
   * batch of 0.5 s against 1.6 s for 2000 at the same posts/s.
   */
  RETENTION_BATCH_SIZE: int(10, 20000).default(100),
  /** The Slack app's signing secret (Basic Information → App Credentials); verifies every Slack request. */
  SLACK_SIGNING_SECRET: z.string().min(8).max(200).optional(),
  /** The Slack app's OAuth client id and secret, for the "Add to Slack" install flow. */
  SLACK_CLIENT_ID: z.string().min(1).max(200).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).max(200).optional(),
  /** Slack's Web API base URL; tests point it at a local server. */
  SLACK_API_URL: url(['http:', 'https:']).default('https://slack.com/api/'),
  /**
   * The mail domain of posting addresses: a group posts at `<group>@<org>.<POSTING_DOMAIN>`, replies
   * come back to `reply+<token>@<org>.<POSTING_DOMAIN>`. Unset: the email bridge is off.
   */
  POSTING_DOMAIN: z
    .string()
    .regex(/^(?=.{1,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i, 'must be a domain name such as mail.example.com')
    .transform((v) => v.toLowerCase())
    .optional(),
  /** The inbound SMTP listener (`npm run start:mail`). */
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: int(0, 65535).default(2525),
  /** PEM files of the listener's certificate and key: when both are set, STARTTLS is offered. */
  SMTP_TLS_CERT_FILE: z.string().min(1).optional(),
  SMTP_TLS_KEY_FILE: z.string().min(1).optional(),
  /** The name the listener greets with and records in Authentication-Results. */
  SMTP_SERVER_NAME: z.string().min(1).max(253).optional(),
  /** Largest inbound message accepted (raw MIME, bytes); larger ones are refused at DATA with 552. */
  EMAIL_MAX_BYTES: int(10 * 1024, 100 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Inbound messages per sender address per hour, and per org per hour. */
  EMAIL_MAX_PER_SENDER_PER_HOUR: int(1, 100000).default(60),
  EMAIL_MAX_PER_ORG_PER_HOUR: int(1, 10000000).default(5000),
  /** Outbound mail: an SMTP URL for nodemailer (smtp://user:pass@host:587). Unset: no email is sent. */
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  /** The From of notification emails (defaults to `Chorus <notifications@POSTING_DOMAIN>`). */
  EMAIL_FROM: z.string().min(3).max(300).optional(),
  /** DKIM signing of outbound mail: domain, selector and a PEM private key file. */
  EMAIL_DKIM_DOMAIN: z.string().min(1).max(253).optional(),
  EMAIL_DKIM_SELECTOR: z.string().min(1).max(63).optional(),
  EMAIL_DKIM_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** Shared secret of the provider inbound-parse webhook (POST /integrations/email/inbound). */
  EMAIL_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
  /** Days a reply-by-email address in a notification keeps working. */
  EMAIL_REPLY_TOKEN_DAYS: int(1, 365).default(30),
  /** When (UTC, HH:MM) the daily digest emails go out. */
  EMAIL_DIGEST_AT_UTC: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (UTC, 24-hour)').default('07:00'),
  /** The built web app (`npm run build` puts it in dist/web); served at `/`. */
  WEB_DIR: z.string().min(1).default('./dist/web'),
  /** The address browsers and identity providers reach us at (SAML entity ids, ACS URLs). */
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  /** 32-byte key (base64 or 64 hex digits) that encrypts stored secrets such as OIDC client secrets (AES-256-GCM). */
  SECRETS_KEY: z
    .string()
    .refine((v) => secretsKeyBytes(v) !== null, 'must be 32 bytes as base64 or 64 hex digits')
    .optional(),
});

/** The SECRETS_KEY as 32 bytes, or null if it is neither 64 hex digits nor base64 of 32 bytes. */
export function secretsKeyBytes(value: string): Buffer | null {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return null;
  const bytes = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  return bytes.length === 32 ? bytes : null;
}

export type Env = z.infer<typeof schema>;

export class ConfigError extends Error {}

/** Read once at start; nothing else in the code reads process.env. */
export class AppConfig {
  readonly env: Env;
  readonly cookieSecure: boolean;

  constructor(env: Env) {
    this.env = env;
    this.cookieSecure = env.COOKIE_SECURE ?? env.NODE_ENV === 'production';
  }

  get embeddedDatabase(): boolean {
    return this.env.DATABASE_URL === undefined;
  }

  /** PUBLIC_URL without a trailing slash, else this process's own address. */
  get publicUrl(): string {
    return (this.env.PUBLIC_URL ?? `http://${this.env.HOST}:${this.env.PORT}`).replace(/\/+$/, '');
  }

  get singleNode(): boolean {
    return this.env.REDIS_URL === undefined;
  }

  static fromEnvironment(source: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Env, string>> = {}): AppConfig {
    const raw: Record<string, string | undefined> = {};
    for (const key of Object.keys(schema.shape)) {
      const value = overrides[key as keyof Env] ?? source[key];
      raw[key] = value === '' ? undefined : value;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      // A malformed key is still a key: never echo it.
      const shown = (key: string) => (['SECRETS_KEY', 'SLACK_SIGNING_SECRET', 'SLACK_CLIENT_SECRET', 'EMAIL_WEBHOOK_SECRET', 'SMTP_URL'].includes(key) ? '[redacted]' : JSON.stringify(raw[key]));
      const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${shown(String(i.path[0]))})`);
      throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
    }
    return new AppConfig(parsed.data);
  }
}
