import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newBundleContext, newExportPost, newExportUser, newSigner } from '../../../../test/factories/export-bundle.factory.js';
import { BundleWriter } from './bundle-writer.js';
import { verifyBundle } from './bundle-verifier.js';
import type { ExportPost } from './bundle.types.js';

const POSTS = 100_000;
const BATCH = 1_000;
const MB = 1024 * 1024;

/*
 * `eml` is left out to keep this test short: building one message per post with MailComposer
 * runs at ~1,000 posts/s. Its memory is covered by StreamingZipWriter's spec (70,000 entries)
 * and by bench/export-memory.mjs (the whole export job, every format, with a capped heap).
 */

describe('BundleWriter memory', () => {
  it(`keeps memory flat while writing ${POSTS} posts as jsonl, csv, rsmf and audit`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bundle-memory-'));
    try {
      const users = Array.from({ length: 50 }, (_, i) => newExportUser(`User ${i}`));
      const groups = Array.from({ length: 5 }, (_, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, name: `Group ${i}`, visibility: 'public' as const }));
      const writer = await BundleWriter.open(join(dir, 'work'), newBundleContext(['jsonl', 'csv', 'rsmf', 'audit']));
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      // After the first 10k posts (JIT, buffers and pools warmed up): the rest must not keep growing.
      let warm = before;
      const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
      const started = Date.now();
      const base = Date.parse('2026-01-01T00:00:00.000Z');
      for (let b = 0; b < POSTS / BATCH; b++) {
        const batch: ExportPost[] = [];
        for (let i = 0; i < BATCH; i++) {
          const n = b * BATCH + i;
          const author = users[n % users.length];
          const at = new Date(base + n * 1000).toISOString();
          batch.push(
            newExportPost(author, at, `Post number ${n} with some text about the quarterly plan, emoji 🚀 and a #tag`, {
              group: n % 3 === 0 ? null : groups[n % groups.length],
              hashtags: ['tag'],
              reactions: n % 4 === 0 ? [{ userId: users[(n + 1) % users.length].id, kind: 'thumbsup', createdAt: at }] : [],
            }),
          );
        }
        await writer.addPosts(batch);
        sample();
        if (b === 9) warm = process.memoryUsage().rss;
      }
      const written = Date.now();
      const finished = await writer.finish({ zipPath: join(dir, 'bundle.zip'), custody: [], signer: newSigner(), onProgress: sample });
      sample();
      const zipped = Date.now();
      const growthMb = (peak - before) / MB;
      const lateGrowthMb = (peak - warm) / MB;
      console.log(
        `bundle memory at ${POSTS} posts: rss before ${(before / MB).toFixed(0)} MB, after 10k posts ${(warm / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, growth ${growthMb.toFixed(0)} MB (${lateGrowthMb.toFixed(0)} MB after 10k); heap ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB; ` +
          `write ${((written - started) / 1000).toFixed(1)} s, finish+zip ${((zipped - written) / 1000).toFixed(1)} s, zip ${(finished.sizeBytes / MB).toFixed(1)} MB`,
      );
      expect(finished.counts.posts).toBe(POSTS);
      expect(growthMb).toBeLessThan(150);
      expect(lateGrowthMb).toBeLessThan(100);
      const report = await verifyBundle(finished.zipPath);
      expect(report.ok).toBe(true);
      // posts.jsonl, posts.csv, audit.jsonl, custody.json and one RSMF per conversation (company + 5 groups).
      expect(report.checked).toBe(4 + 6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
