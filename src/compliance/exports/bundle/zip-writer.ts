import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { createDeflateRaw, crc32, deflateRaw, deflateRawSync } from 'node:zlib';
import { HashingCounter } from './hashed-file.js';

const deflateRawAsync = promisify(deflateRaw);

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END = 0x06054b50;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const U32_MAX = 0xffffffff;
/** Entries at least this large are written as ZIP64 (deflate can grow data by a few bytes per 16 KiB). */
const ZIP64_THRESHOLD = 0xffff0000;
/** Entries compressed ahead, in zlib's thread pool, while earlier ones are written. */
const READ_AHEAD = 16;
/**
 * Below this size an entry is deflated on the spot: a thread-pool round trip costs ~100 µs, the
 * deflate itself ~15 µs for a typical message (one .eml per post makes this the common case).
 */
const INLINE_DEFLATE_MAX = 64 * 1024;

interface Pending {
  path: Buffer;
  crc: number;
  size: number;
  compress: boolean;
  data: Promise<Buffer>;
}

/**
 * A ZIP writer whose memory does not grow with the number of entries: each entry's
 * central-directory record goes to a spill file as soon as the entry is written and is copied
 * after the last entry. (yazl and archiver keep an object per entry until the end, and yazl's
 * pump rescans them all for every entry, which is quadratic: a bundle has one .eml per post.)
 * Writes ZIP64 records where sizes, offsets or the entry count need them; names are UTF-8.
 * Buffered entries (`addBuffer`) up to 64 KiB are deflated inline, larger ones READ_AHEAD at a
 * time in zlib's thread pool; files (`addFile`) are streamed through zlib with a data descriptor.
 */
export class StreamingZipWriter {
  private readonly counter = new HashingCounter();
  private readonly out: WriteStream;
  private readonly central: WriteStream;
  private readonly outDone: Promise<void>;
  private readonly pending: Pending[] = [];
  private offset = 0;
  private entries = 0;
  private centralSize = 0;
  private readonly time: number;
  private readonly date: number;

  constructor(
    readonly zipPath: string,
    private readonly centralSpillPath: string,
    mtime: Date,
  ) {
    this.out = createWriteStream(zipPath);
    this.counter.pipe(this.out);
    this.outDone = once(this.out, 'close').then(() => undefined);
    this.central = createWriteStream(centralSpillPath);
    this.time = (mtime.getUTCHours() << 11) | (mtime.getUTCMinutes() << 5) | (mtime.getUTCSeconds() >> 1);
    this.date = ((Math.max(1980, mtime.getUTCFullYear()) - 1980) << 9) | ((mtime.getUTCMonth() + 1) << 5) | mtime.getUTCDate();
  }

  /** Bytes written so far (the entry data plus headers). */
  get written(): number {
    return this.offset;
  }

  /** An entry whose bytes are in memory (small files: messages, manifests). */
  async addBuffer(path: string, data: Buffer, compress: boolean): Promise<void> {
    this.pending.push({
      path: Buffer.from(path, 'utf8'),
      crc: crc32(data),
      size: data.length,
      compress,
      data: !compress ? Promise.resolve(data) : data.length <= INLINE_DEFLATE_MAX ? Promise.resolve(deflateRawSync(data)) : deflateRawAsync(data),
    });
    if (this.pending.length >= READ_AHEAD) await this.flushOne();
  }

  /** An entry streamed from a file (or a slice of one), with a data descriptor after it. */
  async addFile(path: string, file: string, size: number, compress: boolean, start?: number): Promise<void> {
    while (this.pending.length > 0) await this.flushOne();
    const name = Buffer.from(path, 'utf8');
    const zip64 = size >= ZIP64_THRESHOLD;
    const headerOffset = this.offset;
    const flags = FLAG_UTF8 | FLAG_DATA_DESCRIPTOR;
    const extra = zip64 ? zip64Extra([0n, 0n]) : Buffer.alloc(0);
    await this.write(this.localHeader(name, extra, flags, compress, 0, zip64 ? U32_MAX : 0, zip64 ? U32_MAX : 0, zip64));
    let crc = 0;
    let compressed = 0;
    const input = createReadStream(file, start === undefined ? {} : { start, end: start + size - 1 });
    // Fastest deflate for the big streamed files (posts.jsonl, posts.csv): 2x the speed of the
    // default level for ~10% more bytes, measured on 100,000 posts (bench/export-memory.mjs).
    const deflate = compress ? createDeflateRaw({ level: 1 }) : null;
    const feed = (async () => {
      for await (const chunk of input) {
        crc = crc32(chunk as Buffer, crc);
        if (deflate) {
          if (!deflate.write(chunk)) await once(deflate, 'drain');
        } else {
          compressed += (chunk as Buffer).length;
          await this.write(chunk as Buffer);
        }
      }
      deflate?.end();
    })();
    if (deflate) {
      for await (const chunk of deflate) {
        compressed += (chunk as Buffer).length;
        await this.write(chunk as Buffer);
      }
    }
    await feed;
    const descriptor = zip64 ? Buffer.alloc(24) : Buffer.alloc(16);
    descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    if (zip64) {
      descriptor.writeBigUInt64LE(BigInt(compressed), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
    } else {
      descriptor.writeUInt32LE(compressed, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    await this.write(descriptor);
    await this.record(name, flags, compress, crc >>> 0, compressed, size, headerOffset);
  }

  /** Writes the central directory and the end records; returns the ZIP's SHA-256 and size. */
  async finish(): Promise<{ sha256: string; sizeBytes: number }> {
    while (this.pending.length > 0) await this.flushOne();
    this.central.end();
    await once(this.central, 'close');
    const centralOffset = this.offset;
    for await (const chunk of createReadStream(this.centralSpillPath)) await this.write(chunk as Buffer);
    const zip64 = this.entries >= 0xffff || centralOffset >= U32_MAX || this.centralSize >= U32_MAX;
    if (zip64) {
      const end64Offset = this.offset;
      const end64 = Buffer.alloc(56);
      end64.writeUInt32LE(ZIP64_END, 0);
      end64.writeBigUInt64LE(44n, 4);
      end64.writeUInt16LE(45, 12);
      end64.writeUInt16LE(45, 14);
      end64.writeBigUInt64LE(BigInt(this.entries), 24);
      end64.writeBigUInt64LE(BigInt(this.entries), 32);
      end64.writeBigUInt64LE(BigInt(this.centralSize), 40);
      end64.writeBigUInt64LE(BigInt(centralOffset), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeBigUInt64LE(BigInt(end64Offset), 8);
      locator.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([end64, locator]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END, 0);
    end.writeUInt16LE(Math.min(this.entries, 0xffff), 8);
    end.writeUInt16LE(Math.min(this.entries, 0xffff), 10);
    end.writeUInt32LE(Math.min(this.centralSize, U32_MAX), 12);
    end.writeUInt32LE(Math.min(centralOffset, U32_MAX), 16);
    await this.write(end);
    this.counter.end();
    await this.outDone;
    return { sha256: this.counter.digest(), sizeBytes: this.counter.size };
  }

  /** Stops writing; the caller removes the files. */
  destroy(): void {
    this.counter.destroy();
    this.out.destroy();
    this.central.destroy();
  }

  private async flushOne(): Promise<void> {
    const entry = this.pending.shift()!;
    const data = await entry.data;
    const headerOffset = this.offset;
    const zip64 = headerOffset >= U32_MAX;
    await this.write(this.localHeader(entry.path, Buffer.alloc(0), FLAG_UTF8, entry.compress, entry.crc >>> 0, data.length, entry.size, zip64));
    await this.write(data);
    await this.record(entry.path, FLAG_UTF8, entry.compress, entry.crc >>> 0, data.length, entry.size, headerOffset);
  }

  private localHeader(name: Buffer, extra: Buffer, flags: number, compress: boolean, crc: number, compressed: number, size: number, zip64: boolean): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(LOCAL_HEADER, 0);
    h.writeUInt16LE(zip64 ? 45 : 20, 4);
    h.writeUInt16LE(flags, 6);
    h.writeUInt16LE(compress ? 8 : 0, 8);
    h.writeUInt16LE(this.time, 10);
    h.writeUInt16LE(this.date, 12);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(compressed, 18);
    h.writeUInt32LE(size, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(extra.length, 28);
    return Buffer.concat([h, name, extra]);
  }

  private async record(name: Buffer, flags: number, compress: boolean, crc: number, compressed: number, size: number, headerOffset: number): Promise<void> {
    const big: bigint[] = [];
    if (size >= U32_MAX) big.push(BigInt(size));
    if (compressed >= U32_MAX) big.push(BigInt(compressed));
    if (headerOffset >= U32_MAX) big.push(BigInt(headerOffset));
    const extra = big.length > 0 ? zip64Extra(big) : Buffer.alloc(0);
    const h = Buffer.alloc(46);
    h.writeUInt32LE(CENTRAL_HEADER, 0);
    h.writeUInt16LE((3 << 8) | 45, 4); // made by: Unix, spec 4.5
    h.writeUInt16LE(big.length > 0 ? 45 : 20, 6);
    h.writeUInt16LE(flags, 8);
    h.writeUInt16LE(compress ? 8 : 0, 10);
    h.writeUInt16LE(this.time, 12);
    h.writeUInt16LE(this.date, 14);
    h.writeUInt32LE(crc, 16);
    h.writeUInt32LE(Math.min(compressed, U32_MAX), 20);
    h.writeUInt32LE(Math.min(size, U32_MAX), 24);
    h.writeUInt16LE(name.length, 28);
    h.writeUInt16LE(extra.length, 30);
    h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    h.writeUInt32LE(Math.min(headerOffset, U32_MAX), 42);
    const record = Buffer.concat([h, name, extra]);
    this.entries++;
    this.centralSize += record.length;
    if (!this.central.write(record)) await once(this.central, 'drain');
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    if (!this.counter.write(chunk)) await once(this.counter, 'drain');
  }
}

/** The ZIP64 extended-information extra field (0x0001) with these 8-byte values. */
function zip64Extra(values: bigint[]): Buffer {
  const b = Buffer.alloc(4 + values.length * 8);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(values.length * 8, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(v, 4 + i * 8));
  return b;
}
