/**
 * One EventSource per tab on /api/v1/events (cookies go along, same origin). Components subscribe
 * to event types; the browser reconnects by itself and sends Last-Event-ID, so nothing is missed.
 */
export interface LiveEvent {
  type: string;
  data: Record<string, unknown>;
}

type Listener = (event: LiveEvent) => void;

const TYPES = ['post.created', 'post.edited', 'post.deleted', 'reaction.added', 'reaction.removed', 'notification.created'];
const listeners = new Set<Listener>();
let source: EventSource | null = null;

function connect(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/events');
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse((e as MessageEvent<string>).data) as Record<string, unknown>;
      } catch {
        return;
      }
      for (const l of listeners) l({ type, data });
    });
  }
}

/** Starts listening (once) and returns the unsubscribe function. */
export function subscribe(listener: Listener): () => void {
  connect();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** On sign-out: stop the stream (the next subscribe opens a new one with the new session). */
export function disconnect(): void {
  source?.close();
  source = null;
}
