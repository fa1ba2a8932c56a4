import { EventEmitter } from 'node:events';
import type { LiveEvent, LiveEventInput } from './live-event.js';

export type LiveListener = (event: LiveEvent) => void;

/**
 * Fan-out of live events to every API process. Subscribers receive their org's events; one that
 * passes the id of the last event it saw first gets what it missed (within the retained window).
 */
export abstract class LiveEventBus {
  abstract publish(event: LiveEventInput): Promise<void>;
  abstract subscribe(orgId: string, lastEventId: string | null, listener: LiveListener): Promise<() => void>;
}

/** Compares bus ids "<ms>-<seq>" (the Redis stream id format). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

export const LIVE_ID = /^\d{1,15}-\d{1,10}$/;

/** Single-node mode: events stay in this process, the last RETAIN kept for resuming. */
export class InMemoryLiveEventBus extends LiveEventBus {
  private static readonly RETAIN = 1000;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly recent: LiveEvent[] = [];
  private lastMs = 0;
  private seq = 0;

  async publish(input: LiveEventInput): Promise<void> {
    const now = Date.now();
    this.seq = now === this.lastMs ? this.seq + 1 : 0;
    this.lastMs = now;
    const event: LiveEvent = { ...input, id: `${now}-${this.seq}`, at: new Date(now).toISOString() };
    this.recent.push(event);
    if (this.recent.length > InMemoryLiveEventBus.RETAIN) this.recent.shift();
    this.emitter.emit(event.orgId, event);
  }

  async subscribe(orgId: string, lastEventId: string | null, listener: LiveListener): Promise<() => void> {
    if (lastEventId) {
      for (const e of this.recent) if (e.orgId === orgId && compareIds(e.id, lastEventId) > 0) listener(e);
    }
    this.emitter.on(orgId, listener);
    return () => this.emitter.off(orgId, listener);
  }
}
