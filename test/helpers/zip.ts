import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import request from 'supertest';
import yauzl from 'yauzl';
import { StreamingZipWriter } from '../../src/compliance/exports/bundle/zip-writer.js';

/** Every entry of a ZIP file, name → bytes (test bundles are small). */
export async function readZip(path: string): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))),
  );
  const entries = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream!.on('data', (c: Buffer) => chunks.push(c));
        stream!.on('error', reject);
        stream!.on('end', () => {
          entries.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return entries;
}

/** Writes these entries as a new ZIP (tests use it to forge altered bundles). */
export async function writeZip(entries: Map<string, Buffer>, target: string): Promise<void> {
  const zip = new StreamingZipWriter(target, `${target}.cd`, new Date());
  for (const [name, bytes] of entries) await zip.addBuffer(name, bytes, true);
  await zip.finish();
  await rm(`${target}.cd`, { force: true });
}

/** A copy of `source` with one byte of entry `name` changed, as an attacker or a bad disk would. */
export async function corruptEntry(source: string, target: string, name: string): Promise<void> {
  const entries = await readZip(source);
  const bytes = Buffer.from(entries.get(name)!);
  bytes[bytes.length >> 1] ^= 0x01;
  entries.set(name, bytes);
  await writeZip(entries, target);
}

/** Downloads an export bundle as `user` into `file`, checking its type and advertised SHA-256. */
export async function downloadBundle(http: Server | string, token: string, exportId: string, file: string): Promise<string> {
  const res = await request(http)
    .get(`/api/v1/compliance/exports/${exportId}/download`)
    .set('Authorization', `Bearer ${token}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    })
    .expect(200);
  expect(res.headers['content-type']).toBe('application/zip');
  expect(createHash('sha256').update(res.body as Buffer).digest('hex')).toBe(res.headers['x-content-sha256']);
  await writeFile(file, res.body as Buffer);
  return file;
}
