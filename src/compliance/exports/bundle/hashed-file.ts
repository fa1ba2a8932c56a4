import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { PassThrough, Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** SHA-256 and byte count of what passes through, so a file is hashed as it is written, never re-read. */
export class HashingCounter extends Transform {
  private readonly hash: Hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * A file in the work directory written through an optional head stream (e.g. a CSV stringifier),
 * hashed on the way to disk. `write` honours back-pressure, so memory stays bounded.
 */
export class HashedFile {
  private readonly head: Writable;
  private readonly counter = new HashingCounter();
  private readonly done: Promise<void>;

  constructor(
    readonly filePath: string,
    head?: Transform,
  ) {
    const h = head ?? new PassThrough();
    this.head = h;
    this.done = pipeline(h, this.counter, createWriteStream(filePath));
    // The pipeline rejection surfaces in close(); this keeps an early failure from being unhandled.
    this.done.catch(() => undefined);
  }

  async write(chunk: unknown): Promise<void> {
    if (!this.head.write(chunk)) await Promise.race([once(this.head, 'drain'), this.done]);
  }

  /** Copies a whole stream into the file (one chunk at a time, so memory stays bounded). */
  async writeAll(source: AsyncIterable<unknown>): Promise<void> {
    for await (const chunk of source) await this.write(chunk);
  }

  async close(): Promise<{ sha256: string; size: number }> {
    this.head.end();
    await this.done;
    return { sha256: this.counter.digest(), size: this.counter.size };
  }

  destroy(): void {
    this.head.destroy();
  }
}
