import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON of `head` with one extra array property whose items are streamed: the
 * array sits where canonical key order puts it, each item is canonicalized on its own. This keeps a
 * manifest of a million files out of memory while staying byte-for-byte canonical.
 */
export async function* canonicalJsonWithStreamedArray(head: Record<string, unknown>, key: string, items: AsyncIterable<unknown>): AsyncGenerator<string> {
  const sentinel = `\u0000${randomUUID()}`;
  const text = canonicalize({ ...head, [key]: [sentinel] })!;
  const marker = `[${canonicalize(sentinel)!}]`;
  const at = text.indexOf(marker);
  yield `${text.slice(0, at)}[`;
  let first = true;
  for await (const item of items) {
    yield first ? canonicalize(item)! : `,${canonicalize(item)!}`;
    first = false;
  }
  yield `]${text.slice(at + marker.length)}`;
}
