// Writes N synthetic posts through the compiled BundleWriter and prints one JSON line with RSS
// and heap numbers. Run by test/e2e/export-memory.e2e-spec.ts under a capped heap: a writer that
// kept per-post data in memory would die of it before the end.
//   node --max-old-space-size=M test/helpers/bundle-memory-child.mjs <workDir> <posts> <formats>
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BundleWriter } from '../../dist/src/compliance/exports/bundle/bundle-writer.js';
import { ed25519ManifestSigner } from '../../dist/src/compliance/exports/bundle/bundle-signing.js';

const [workDir, postsArg, formatsArg] = process.argv.slice(2);
const posts = Number(postsArg);
const formats = formatsArg.split(',');
const users = Array.from({ length: 50 }, (_, i) => ({ id: randomUUID(), email: `u${i}@example.test`, displayName: `User ${i}`, handle: `u${i}` }));
const groups = Array.from({ length: 5 }, (_, i) => ({ id: randomUUID(), name: `Group ${i}`, visibility: 'public' }));
const writer = await BundleWriter.open(join(workDir, 'work'), {
  exportId: randomUUID(),
  org: { id: randomUUID(), slug: 'acme', name: 'Acme' },
  requestedBy: users[0],
  requestedAt: new Date().toISOString(),
  filters: {},
  formats,
  softwareVersion: 'test',
  host: 'test',
  attempt: 1,
  auditHead: null,
});
let peak = process.memoryUsage().rss;
let heapPeak = process.memoryUsage().heapUsed;
const sample = () => {
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed);
};
const base = Date.parse('2026-01-01T00:00:00.000Z');
const started = Date.now();
for (let b = 0; b < posts / 1000; b++) {
  const batch = [];
  for (let i = 0; i < 1000; i++) {
    const n = b * 1000 + i;
    const at = new Date(base + n * 1000).toISOString();
    const id = randomUUID();
    const body = `Post number ${n} about the quarterly plan, emoji 🚀 and #tag`;
    batch.push({
      id,
      threadId: id,
      parentId: null,
      group: n % 3 === 0 ? null : groups[n % 5],
      author: users[n % 50],
      body,
      createdAt: at,
      editedAt: null,
      deletedAt: null,
      deletedBy: null,
      pinnedAt: null,
      onHold: false,
      versions: [{ version: 1, body, editedBy: users[n % 50].id, createdAt: at }],
      reactions: n % 4 === 0 ? [{ userId: users[(n + 1) % 50].id, kind: 'like', createdAt: at }] : [],
      mentions: [],
      hashtags: ['tag'],
      attachments: [],
      source: { kind: 'web', ref: null, provenance: null },
    });
  }
  await writer.addPosts(batch);
  sample();
}
const { privateKey } = generateKeyPairSync('ed25519');
const done = await writer.finish({ zipPath: join(workDir, 'bundle.zip'), custody: [], signer: ed25519ManifestSigner(privateKey), onProgress: sample });
sample();
const MB = 2 ** 20;
console.log(
  JSON.stringify({ posts: done.counts.posts, seconds: (Date.now() - started) / 1000, peakRssMB: Math.round(peak / MB), peakHeapMB: Math.round(heapPeak / MB), zipMB: Math.round(done.sizeBytes / MB) }),
);
