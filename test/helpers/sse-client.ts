import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** A real SSE connection to a listening server, collecting parsed events. */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  private req: http.ClientRequest | null = null;

  static async open(server: Server, path: string, headers: Record<string, string>): Promise<SseClient> {
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return SseClient.connect((server.address() as AddressInfo).port, path, headers);
  }

  /** To a server in another process, by its port on 127.0.0.1. */
  static async connect(port: number, path: string, headers: Record<string, string>): Promise<SseClient> {
    const client = new SseClient();
    await new Promise<void>((resolve, reject) => {
      client.req = http.get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
        client.status = res.statusCode ?? 0;
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: SseEvent = { data: '' };
            for (const line of frame.split('\n')) {
              const [field, ...rest] = line.split(':');
              const value = rest.join(':').replace(/^ /, '');
              if (field === 'id') event.id = value;
              else if (field === 'event') event.event = value;
              else if (field === 'data') event.data += value;
            }
            if (event.data || event.id) client.events.push(event);
          }
        });
        res.on('error', () => undefined);
        resolve();
      });
      client.req.on('error', reject);
    });
    return client;
  }

  /** Events other than heartbeats, with their JSON data parsed. */
  posts(): { id: string; type: string; data: { postId: string; post?: { body: string } } }[] {
    return this.events
      .filter((e) => e.event && e.event !== 'ping')
      .map((e) => ({ id: e.id!, type: e.event!, data: JSON.parse(e.data) as { postId: string; post?: { body: string } } }));
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.posts().length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} events, got ${this.posts().length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    this.req?.destroy();
  }
}
