import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Headers Slack sends with a request: v0 HMAC-SHA256 over `v0:<ts>:<body>` with the signing secret. */
export function slackSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'X-Slack-Request-Timestamp': String(timestamp), 'X-Slack-Signature': signature };
}

/** A form body as Slack sends slash commands (`application/x-www-form-urlencoded`). */
export const formBody = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

export interface SlackApiCall {
  method: string;
  /** Form fields or JSON body, parsed. */
  body: Record<string, unknown>;
  token: string | null;
  at: number;
}

type Reply = { status?: number; headers?: Record<string, string>; body: Record<string, unknown> };
type Handler = (call: SlackApiCall) => Reply | Record<string, unknown>;

export interface SlackUserFixture {
  id: string;
  email: string | null;
  name?: string;
  deleted?: boolean;
  isBot?: boolean;
}

/**
 * Slack's Web API, replaced at the HTTP boundary: a local server on 127.0.0.1 that records every
 * call and answers like Slack. `users` feeds users.info; `on()` overrides a method; `rateLimit()`
 * makes the next N calls of a method answer 429 with Retry-After.
 */
export class FakeSlackApi {
  readonly calls: SlackApiCall[] = [];
  readonly users = new Map<string, SlackUserFixture>();
  private readonly handlers = new Map<string, Handler>();
  private readonly limits = new Map<string, { times: number; retryAfter: number }>();
  private server: Server | null = null;
  private tsCounter = 1_700_000_000;
  url = '';

  constructor(
    readonly team = { id: `T${randomUUID().replace(/-/g, '').slice(0, 9).toUpperCase()}`, name: 'Acme Slack' },
    readonly bot = { userId: 'UBOT00001', botId: 'BBOT00001', appId: 'ATEST0001' },
  ) {}

  on(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  rateLimit(method: string, times: number, retryAfterSeconds = 1): void {
    this.limits.set(method, { times, retryAfter: retryAfterSeconds });
  }

  callsOf(method: string): SlackApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req).then((r) => {
      res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json; charset=utf-8', ...r.headers });
      res.end(JSON.stringify(r.body));
    }));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage): Promise<Reply> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    let body: Record<string, unknown> = {};
    if (type.includes('application/json')) body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    else body = Object.fromEntries(new URLSearchParams(raw));
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : typeof body.token === 'string' ? body.token : null;
    const call: SlackApiCall = { method, body, token, at: Date.now() };
    this.calls.push(call);
    const limit = this.limits.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      return { status: 429, headers: { 'Retry-After': String(limit.retryAfter) }, body: { ok: false, error: 'ratelimited' } };
    }
    const custom = this.handlers.get(method);
    if (custom) {
      const r = custom(call);
      return 'body' in r && typeof r.body === 'object' ? (r as Reply) : { body: r as Record<string, unknown> };
    }
    return { body: this.defaultReply(method, body) };
  }

  private defaultReply(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.com/', team: this.team.name, team_id: this.team.id, user_id: this.bot.userId, bot_id: this.bot.botId };
      case 'users.info': {
        const u = this.users.get(String(body.user));
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: { id: u.id, team_id: this.team.id, name: u.name ?? u.id, deleted: u.deleted ?? false, is_bot: u.isBot ?? false, profile: { email: u.email ?? undefined, real_name: u.name ?? u.id } },
        };
      }
      case 'chat.postMessage':
        return { ok: true, channel: body.channel, ts: `${this.tsCounter++}.000100`, message: { text: body.text } };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${this.tsCounter++}.000200` };
      case 'views.open':
        return { ok: true, view: { id: `V${this.tsCounter++}` } };
      case 'conversations.info':
        return { ok: true, channel: { id: body.channel, name: `channel-${String(body.channel).toLowerCase()}` } };
      case 'conversations.join':
        return { ok: true, channel: { id: body.channel } };
      default:
        return { ok: true };
    }
  }
}
