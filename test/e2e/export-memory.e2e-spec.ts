import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyBundle } from '../../src/compliance/exports/bundle/bundle-verifier.js';

const run = promisify(execFile);

/**
 * The bundle writer (compiled; `npm test` builds first) in a process whose heap is capped at
 * 48 MB: writing 100,000 posts (10,000 with one .eml each), far more than the cap could hold, must finish. RSS numbers
 * from inside the test runner are too noisy to assert on; the cap is not.
 */
describe('export bundle memory does not grow with the number of posts', () => {
  it.each([
    ['jsonl,csv,rsmf,audit', 100_000],
    ['jsonl,csv,eml', 10_000],
  ])('%s: %i posts under a 48 MB heap', async (formats, posts) => {
    const dir = await mkdtemp(join(tmpdir(), 'chorus-bundle-memory-'));
    try {
      const { stdout } = await run(process.execPath, ['--max-old-space-size=48', 'test/helpers/bundle-memory-child.mjs', dir, String(posts), formats], {
        timeout: 170_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as { posts: number; peakRssMB: number; peakHeapMB: number };
      console.log(`bundle writer, ${formats}: ${JSON.stringify(result)}`);
      expect(result.posts).toBe(posts);
      expect(result.peakHeapMB).toBeLessThan(48);
      expect((await verifyBundle(join(dir, 'bundle.zip'))).ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
