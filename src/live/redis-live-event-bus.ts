import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { EventEmitter } from 'node:events';
import { compareIds, LiveEventBus, type LiveListener } from './live-event-bus.js';
import type { LiveEvent, LiveEventInput } from './live-event.js';

const RETAIN = 10_000;
const BLOCK_MS = 5_000;

/**
 * Several API processes: events go into one capped Redis stream. Each process runs a single
 * blocking reader and hands events to its local SSE connections, so the Redis cost does not
 * grow with the number of clients; the stream doubles as the replay log for Last-Event-ID.
 */
export class RedisLiveEventBus extends LiveEventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly key: string;
  private reader: Redis | null = null;
  private running = false;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly log: Logger,
  ) {
    super();
    this.key = `${prefix}:live-events`;
  }

  async publish(input: LiveEventInput): Promise<void> {
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(RETAIN), '*', 'e', JSON.stringify({ ...input, at: new Date().toISOString() }));
  }

  async subscribe(orgId: string, lastEventId: string | null, listener: LiveListener): Promise<() => void> {
    await this.start();
    // Listen first, then replay: an event arriving meanwhile is delivered once, in order.
    let replayedUpTo: string | null = null;
    const buffered: LiveEvent[] = [];
    let replaying = lastEventId !== null;
    const onEvent = (e: LiveEvent) => {
      if (replaying) buffered.push(e);
      else if (!replayedUpTo || compareIds(e.id, replayedUpTo) > 0) listener(e);
    };
    this.emitter.on(orgId, onEvent);
    if (lastEventId) {
      const entries = await this.redis.xrange(this.key, `(${lastEventId}`, '+', 'COUNT', RETAIN);
      for (const e of entries.map(toEvent)) {
        if (e && e.orgId === orgId) listener(e);
        if (e) replayedUpTo = e.id;
      }
      replaying = false;
      for (const e of buffered) if (!replayedUpTo || compareIds(e.id, replayedUpTo) > 0) listener(e);
    }
    return () => this.emitter.off(orgId, onEvent);
  }

  async close(): Promise<void> {
    this.running = false;
    this.reader?.disconnect();
    this.reader = null;
  }

  /** Starts the reader once; resolves when it knows where the stream ends, so nothing later is missed. */
  private start(): Promise<void> {
    if (this.ready) return this.ready;
    this.running = true;
    const reader = this.redis.duplicate();
    this.reader = reader;
    reader.on('error', (err: Error) => this.log.warn({ err: err.message }, 'live events reader error'));
    this.ready = this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1).then((tail) => {
      void this.loop(reader, tail[0]?.[0] ?? '0-0');
    });
    return this.ready;
  }

  private async loop(reader: Redis, from: string): Promise<void> {
    let last = from;
    while (this.running) {
      try {
        const res = (await reader.xread('BLOCK', BLOCK_MS, 'STREAMS', this.key, last)) as [string, [string, string[]][]][] | null;
        for (const [, entries] of res ?? []) {
          for (const entry of entries) {
            last = entry[0];
            const event = toEvent(entry);
            if (event) this.emitter.emit(event.orgId, event);
          }
        }
      } catch (err) {
        if (!this.running) return;
        this.log.warn({ err }, 'live events read failed; retrying');
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }
}

function toEvent([id, fields]: [string, string[]]): LiveEvent | null {
  const i = fields.indexOf('e');
  if (i < 0) return null;
  try {
    return { ...(JSON.parse(fields[i + 1]) as Omit<LiveEvent, 'id'>), id };
  } catch {
    return null;
  }
}
