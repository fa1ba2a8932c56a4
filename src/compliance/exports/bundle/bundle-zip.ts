import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StreamingZipWriter } from './zip-writer.js';

/** One entry of the bundle ZIP and where its bytes are in the work directory. */
export interface ZipSource {
  path: string;
  size: number;
  file: string;
  /** A slice of `file` (messages are spooled into one file); whole file when absent. */
  start?: number;
  compress: boolean;
}

/** Entries up to this size are read into memory and deflated in the thread pool, a few at a time. */
const SMALL_ENTRY = 1024 * 1024;

/**
 * Streams every source into `zipPath + '.partial'` with StreamingZipWriter (deflate runs in
 * zlib's thread pool, not on the event loop; memory does not grow with the number of entries),
 * fsyncs it, then renames it to `zipPath` and fsyncs the directory, so a crash never leaves a
 * half-written file under the final name.
 */
export async function writeBundleZip(opts: {
  zipPath: string;
  /** A scratch file for the central directory while entries are written. */
  spillPath: string;
  sources: AsyncIterable<ZipSource>;
  totalBytes: number;
  mtime: Date;
  onProgress?: (fraction: number) => void;
}): Promise<{ sha256: string; sizeBytes: number }> {
  const partial = `${opts.zipPath}.partial`;
  let done = 0;
  let reported = -1;
  const progress = (bytes: number) => {
    done += bytes;
    const fraction = opts.totalBytes > 0 ? Math.min(1, done / opts.totalBytes) : 1;
    if (opts.onProgress && fraction - reported >= 0.01) {
      reported = fraction;
      opts.onProgress(fraction);
    }
  };
  const zip = new StreamingZipWriter(partial, opts.spillPath, opts.mtime);
  let handle = null as { file: string; fh: FileHandle } | null;
  try {
    for await (const s of opts.sources) {
      if (s.size <= SMALL_ENTRY) {
        if (handle?.file !== s.file) {
          await handle?.fh.close();
          handle = { file: s.file, fh: await open(s.file, 'r') };
        }
        const data = Buffer.alloc(s.size);
        const { bytesRead } = await handle.fh.read(data, 0, s.size, s.start ?? 0);
        if (bytesRead !== s.size) throw new Error(`${s.path}: expected ${s.size} bytes, read ${bytesRead}`);
        await zip.addBuffer(s.path, data, s.compress);
      } else {
        await zip.addFile(s.path, s.file, s.size, s.compress, s.start);
      }
      progress(s.size);
    }
    await handle?.fh.close();
    handle = null;
    const result = await zip.finish();
    const fh = await open(partial, 'r+');
    await fh.sync().finally(() => fh.close());
    await rename(partial, opts.zipPath);
    const dir = await open(dirname(opts.zipPath), 'r');
    await dir.sync().finally(() => dir.close());
    await rm(opts.spillPath, { force: true });
    if (opts.onProgress && reported < 1) opts.onProgress(1);
    return result;
  } catch (error) {
    zip.destroy();
    await handle?.fh.close().catch(() => undefined);
    await rm(partial, { force: true });
    await rm(opts.spillPath, { force: true });
    throw error;
  }
}
