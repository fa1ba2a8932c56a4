import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BundleWriter } from '../../src/compliance/exports/bundle/bundle-writer.js';
import { newBundleContext, newExportAttachment, newExportPost, newExportUser, newSigner } from '../factories/export-bundle.factory.js';
import { runCli } from '../helpers/run-cli.js';
import { corruptEntry } from '../helpers/zip.js';

const CLI_TIMEOUT = 120_000;

/** Copies a ZIP entry by entry, changing one byte in the middle of `name`. */

describe('export:verify (compiled CLI, no database)', () => {
  let dir: string;
  let good: string;
  let keyFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'export-verify-'));
    const signer = newSigner();
    const alice = newExportUser('Alice');
    const bytes = Buffer.from('attachment bytes');
    const att = newExportAttachment('notes.txt', bytes, 'text/plain');
    const root = newExportPost(alice, '2026-02-01T10:00:00.000Z', 'Root post', { attachments: [att] });
    const reply = newExportPost(alice, '2026-02-01T10:05:00.000Z', 'A reply', { threadId: root.id, parentId: root.id });
    const writer = await BundleWriter.open(join(dir, 'work'), newBundleContext());
    await writer.addPosts([root, reply]);
    await writer.addAttachment(att, Readable.from([bytes]));
    good = (await writer.finish({ zipPath: join(dir, 'good.zip'), custody: [], signer })).zipPath;
    keyFile = join(dir, 'export-key.pem');
    await writeFile(keyFile, signer.publicKeyPem);
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 0 for a good bundle, with the org key (origin proven) or without (integrity only)', async () => {
    const withKey = await runCli(['export:verify', good, '--public-key', keyFile], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(withKey.code).toBe(0);
    expect(withKey.json).toMatchObject({ ok: true, signature: 'valid', keySource: 'given', problems: [] });
    const withoutKey = await runCli(['export:verify', good]);
    expect(withoutKey.code).toBe(0);
    expect(withoutKey.json).toMatchObject({ ok: true, keySource: 'manifest', note: expect.stringMatching(/not who made it/) });
  }, CLI_TIMEOUT);

  it('exits 1 and names the file when one byte of it changed', async () => {
    const bad = join(dir, 'bad.zip');
    await corruptEntry(good, bad, 'posts.jsonl');
    for (const args of [[], ['--public-key', keyFile]]) {
      const res = await runCli(['export:verify', bad, ...args]);
      expect(res.code).toBe(1);
      expect(res.json).toMatchObject({ ok: false, signature: 'valid', problems: [{ path: 'posts.jsonl', problem: 'hash_mismatch' }] });
    }
  }, CLI_TIMEOUT);

  it('exits 1 with another org key, and 2 without a bundle argument', async () => {
    const other = join(dir, 'other.pem');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }));
    const res = await runCli(['export:verify', good, '--public-key', other]);
    expect(res.code).toBe(1);
    expect(res.json).toMatchObject({ ok: false, signature: 'invalid' });
    expect((await runCli(['export:verify'])).code).toBe(2);
  }, CLI_TIMEOUT);
});
