import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readZip, writeZip } from '../../../../test/helpers/zip.js';
import { newBundleContext, newExportAttachment, newExportPost, newExportUser, newSigner } from '../../../../test/factories/export-bundle.factory.js';
import { auditHash } from '../../../audit/audit-chain.js';
import { BundleWriter } from './bundle-writer.js';
import { verifyBundle } from './bundle-verifier.js';
import type { BundleManifest, ExportAuditEvent, ExportPost } from './bundle.types.js';

/** Writes a new ZIP with the same entries, `name`'s content changed by `alter`. */
async function rewriteZip(entries: Map<string, Buffer>, target: string, name: string, alter: (b: Buffer) => Buffer): Promise<void> {
  await writeZip(new Map([...entries].map(([n, b]) => [n, n === name ? alter(b) : b])), target);
}

const flipMiddleByte = (b: Buffer) => {
  const c = Buffer.from(b);
  const i = Math.floor(c.length / 2);
  // Keep it printable and different: a letter/digit becomes another letter/digit.
  c[i] = c[i] === 0x41 ? 0x42 : 0x41;
  return c;
};

/** Headers of an RFC 5322 message (unfolded), names lower-cased. */
function emlHeaders(eml: string): Map<string, string[]> {
  const head = eml.slice(0, eml.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const out = new Map<string, string[]>();
  for (const line of head.split('\r\n')) {
    const at = line.indexOf(':');
    const key = line.slice(0, at).toLowerCase();
    out.set(key, [...(out.get(key) ?? []), line.slice(at + 1).trim()]);
  }
  return out;
}

/** A small RFC 4180 reader for the test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows;
}

describe('BundleWriter and verifyBundle', () => {
  let dir: string;
  let zipPath: string;
  let entries: Map<string, Buffer>;
  let posts: ExportPost[];
  const signer = newSigner();
  const ctx = newBundleContext();
  const pdf = Buffer.from('%PDF-1.4 fake bytes \u0000\u0001\u0002', 'latin1');
  const progress: number[] = [];
  const alice = newExportUser('Alice Åberg');
  const bob = newExportUser('Bob Builder');
  const carol = newExportUser('Carol Chen');
  const group = { id: '9b0c5c1e-4d8c-4c47-9b4e-3f0f6c1b2a11', name: 'Engineering 🛠', visibility: 'private' as const };
  const attachment = newExportAttachment('report "final" v2.pdf', pdf, 'application/pdf');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bundle-spec-'));
    zipPath = join(dir, 'bundle.zip');
    const root = newExportPost(alice, '2026-01-05T09:00:00.000Z', 'Hello team 👋\nünïcödé second line', {
      reactions: [
        { userId: bob.id, kind: 'thumbsup', createdAt: '2026-01-05T09:01:00.000Z' },
        { userId: carol.id, kind: 'thumbsup', createdAt: '2026-01-05T09:02:00.000Z' },
      ],
      hashtags: ['launch'],
      mentions: [bob.id],
    });
    const reply = newExportPost(bob, '2026-01-05T09:05:00.000Z', 'Hi Alice!', { threadId: root.id, parentId: root.id });
    const edited = newExportPost(carol, '2026-01-06T10:00:00.000Z', 'third text', {
      group,
      editedAt: '2026-01-06T12:00:00.000Z',
      versions: [
        { version: 1, body: 'first text', editedBy: carol.id, createdAt: '2026-01-06T10:00:00.000Z' },
        { version: 2, body: 'second text', editedBy: carol.id, createdAt: '2026-01-06T11:00:00.000Z' },
        { version: 3, body: 'third text', editedBy: carol.id, createdAt: '2026-01-06T12:00:00.000Z' },
      ],
    });
    const deleted = newExportPost(alice, '2026-01-07T08:00:00.000Z', 'oops, wrong channel', { group, deletedAt: '2026-01-07T08:30:00.000Z', deletedBy: alice.id });
    const held = newExportPost(bob, '2026-01-08T08:00:00.000Z', 'Quarterly numbers attached by mail', {
      onHold: true,
      source: { kind: 'email', ref: '<m-42@mail.example.test>', provenance: { from: 'bob@example.test' } },
    });
    const withFile = newExportPost(alice, '2026-01-09T08:00:00.000Z', 'The report', { group, attachments: [attachment] });
    const formula = newExportPost(carol, '2026-01-09T08:00:00.000Z', '=HYPERLINK("http://evil.test","click")');
    posts = [root, reply, edited, deleted, held, withFile, formula];

    const writer = await BundleWriter.open(join(dir, 'work'), ctx);
    await writer.addPosts(posts.slice(0, 3));
    await writer.addPosts(posts.slice(3));
    await writer.addAttachment(attachment, Readable.from([pdf]));
    // A real two-event chain, so export:verify can re-walk it up to the sealed head.
    const chained = (seq: number, action: string, prevHash: string | null): ExportAuditEvent => {
      const fields = { orgId: ctx.org.id, seq, id: `a${seq}`, occurredAt: `2026-01-0${seq}T00:00:00.000Z`, actorType: 'user', actorId: null, action, targetType: null, targetId: null, ip: null, requestId: null, data: {}, prevHash };
      return { ...fields, hash: auditHash(fields) };
    };
    const first = chained(1, 'hold.created', null);
    const audit = [first, chained(2, 'export.requested', first.hash)];
    ctx.auditHead = { seq: 2, hash: audit[1].hash };
    await writer.addAuditEvents(audit);
    const finished = await writer.finish({ zipPath, custody: [{ at: '2026-03-01T09:00:01.000Z', event: 'job_started', detail: { host: 'test-host' } }], signer, onProgress: (f) => progress.push(f) });
    expect(finished.counts).toEqual({ posts: 7, versions: 9, deletedPosts: 1, heldPosts: 1, reactions: 2, attachments: 1, conversations: 2, auditEvents: 2 });
    expect(finished.sha256).toBe(createHash('sha256').update(await readFile(zipPath)).digest('hex'));
    expect(finished.sizeBytes).toBe((await stat(zipPath)).size);
    await expect(stat(`${zipPath}.partial`)).rejects.toThrow();
    await expect(stat(join(dir, 'work'))).rejects.toThrow();
    entries = await readZip(zipPath);
  }, 30_000);

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('posts.jsonl is the canonical record: one line per post, equal to the input', () => {
    const lines = entries.get('posts.jsonl')!.toString('utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(posts);
  });

  it('posts.csv has one row per version and defuses formulas', () => {
    const rows = parseCsv(entries.get('posts.csv')!.toString('utf8').replace(/^\uFEFF/, ''));
    const [header, ...data] = rows;
    expect(header).toContain('body');
    expect(data).toHaveLength(9);
    const body = header.indexOf('body');
    const version = header.indexOf('version');
    const edited = posts[2];
    expect(data.filter((r) => r[0] === edited.id).map((r) => [r[version], r[body]])).toEqual([
      ['1', 'first text'],
      ['2', 'second text'],
      ['3', 'third text'],
    ]);
    expect(data.find((r) => r[0] === posts[6].id)![body]).toBe(`'=HYPERLINK("http://evil.test","click")`);
    expect(data.find((r) => r[0] === posts[0].id)![body]).toBe('Hello team 👋\nünïcödé second line');
  });

  it('messages/<id>.eml are RFC 5322 messages threaded by Message-ID, with every version', () => {
    expect([...entries.keys()].filter((n) => n.startsWith('messages/'))).toHaveLength(posts.length);
    const root = emlHeaders(entries.get(`messages/${posts[0].id}.eml`)!.toString('utf8'));
    const reply = emlHeaders(entries.get(`messages/${posts[1].id}.eml`)!.toString('utf8'));
    expect(root.get('message-id')).toEqual([`<${posts[0].id}@acme.chorus.invalid>`]);
    expect(root.get('date')).toEqual(['Mon, 05 Jan 2026 09:00:00 +0000']);
    expect(root.get('from')![0]).toContain(`<${alice.email}>`);
    expect(root.get('in-reply-to')).toBeUndefined();
    expect(reply.get('in-reply-to')).toEqual([`<${posts[0].id}@acme.chorus.invalid>`]);
    expect(reply.get('references')).toEqual([`<${posts[0].id}@acme.chorus.invalid>`]);
    const edited = entries.get(`messages/${posts[2].id}.eml`)!.toString('utf8');
    expect(emlHeaders(edited).get('x-chorus-versions')).toEqual(['3']);
    expect(edited).toContain('filename=version-1.txt');
    expect(edited).toContain('filename=version-2.txt');
    expect(edited).toContain(Buffer.from('first text').toString('base64'));
    expect(emlHeaders(entries.get(`messages/${posts[3].id}.eml`)!.toString('utf8')).get('x-chorus-deleted-at')).toEqual(['2026-01-07T08:30:00.000Z']);
    expect(emlHeaders(entries.get(`messages/${posts[4].id}.eml`)!.toString('utf8')).get('x-chorus-source-ref')).toEqual(['<m-42@mail.example.test>']);
  });

  it('attachments are stored byte for byte under attachments/<id>/<safe name>', () => {
    expect(attachment.path).toBe(`attachments/${attachment.id}/report _final_ v2.pdf`);
    expect(entries.get(attachment.path!)).toEqual(pdf);
  });

  it('rsmf/ holds one RSMF 2.0 file per conversation with a valid manifest', async () => {
    const names = [...entries.keys()].filter((n) => n.startsWith('rsmf/')).sort();
    expect(names).toEqual(['rsmf/company.eml', `rsmf/group-${group.id}.eml`]);
    const eml = entries.get(`rsmf/group-${group.id}.eml`)!.toString('utf8');
    const h = emlHeaders(eml);
    expect(h.get('x-rsmf-version')).toEqual(['2.0.0']);
    expect(h.get('x-rsmf-generator')).toEqual(['Chorus 0.1.0-test']);
    expect(h.get('x-rsmf-begindate')).toEqual(['2026-01-06T10:00:00.000Z']);
    expect(h.get('x-rsmf-enddate')).toEqual(['2026-01-09T08:00:00.000Z']);
    expect(h.get('x-rsmf-eventcount')).toEqual(['3']);
    const b64 = eml.split('filename=rsmf.zip')[1].split('\r\n\r\n')[1].split('\r\n----')[0].replace(/\s+/g, '');
    const inner = join(dir, 'rsmf.zip');
    await writeFile(inner, Buffer.from(b64, 'base64'));
    const files = await readZip(inner);
    const manifest = JSON.parse(files.get('rsmf_manifest.json')!.toString('utf8'));
    expect(manifest.version).toBe('2.0.0');
    expect(manifest.conversations).toEqual([{ id: `group-${group.id}`, display: group.name, platform: 'Chorus', type: 'channel', participants: [alice.id, carol.id].sort() }]);
    expect(manifest.participants).toContainEqual({ id: carol.id, account_id: carol.id, display: 'Carol Chen', email: carol.email });
    expect(manifest.events.map((e: { id: string }) => e.id)).toEqual([posts[2].id, posts[3].id, posts[5].id]);
    const [edited, deleted, withFile] = manifest.events;
    expect(edited).toMatchObject({ type: 'message', conversation: `group-${group.id}`, participant: carol.id, timestamp: '2026-01-06T10:00:00.000Z', body: 'third text', deleted: false });
    expect(edited.edits).toEqual([
      { participant: carol.id, timestamp: '2026-01-06T11:00:00.000Z', previous: 'first text', new: 'second text' },
      { participant: carol.id, timestamp: '2026-01-06T12:00:00.000Z', previous: 'second text', new: 'third text' },
    ]);
    expect(deleted.deleted).toBe(true);
    const attName = `${attachment.id}_report _final_ v2.pdf`;
    expect(withFile.attachments).toEqual([{ id: attName, display: 'report "final" v2.pdf', size: pdf.length }]);
    expect(files.get(attName)).toEqual(pdf);

    const company = JSON.parse((await rsmfManifest(entries.get('rsmf/company.eml')!, join(dir, 'company.zip'))).toString('utf8'));
    const [root, reply] = company.events;
    expect(root.reactions).toEqual([{ value: 'thumbsup', count: 2, participants: [bob.id, carol.id] }]);
    expect(reply.parent).toBe(posts[0].id);
  });

  async function rsmfManifest(emlBytes: Buffer, target: string): Promise<Buffer> {
    const b64 = emlBytes.toString('utf8').split('filename=rsmf.zip')[1].split('\r\n\r\n')[1].split('\r\n----')[0].replace(/\s+/g, '');
    await writeFile(target, Buffer.from(b64, 'base64'));
    return (await readZip(target)).get('rsmf_manifest.json')!;
  }

  it('audit.jsonl and custody.json are there', () => {
    expect(entries.get('audit.jsonl')!.toString('utf8').trimEnd().split('\n')).toHaveLength(2);
    const custody = JSON.parse(entries.get('custody.json')!.toString('utf8'));
    expect(custody).toMatchObject({ exportId: ctx.exportId, host: 'test-host', attempt: 1, requestedBy: { id: ctx.requestedBy.id }, filters: ctx.filters });
    expect(custody.events[0].event).toBe('job_started');
    expect(custody.files.map((f: { path: string }) => f.path)).toContain('posts.jsonl');
  });

  it('manifest.json lists every other file with its SHA-256 and size, and manifest.sig verifies', () => {
    const raw = entries.get('manifest.json')!;
    const manifest = JSON.parse(raw.toString('utf8')) as BundleManifest;
    expect(manifest).toMatchObject({ exportId: ctx.exportId, org: ctx.org, softwareVersion: '0.1.0-test', signingKey: { fingerprint: signer.fingerprint, publicKeyPem: signer.publicKeyPem } });
    const others = [...entries.keys()].filter((n) => n !== 'manifest.json' && n !== 'manifest.sig').sort();
    expect(manifest.files.map((f) => f.path).sort()).toEqual(others);
    for (const f of manifest.files) {
      expect(f.sha256).toBe(createHash('sha256').update(entries.get(f.path)!).digest('hex'));
      expect(f.size).toBe(entries.get(f.path)!.length);
    }
    expect(verify(null, raw, signer.publicKeyPem, Buffer.from(entries.get('manifest.sig')!.toString('utf8').trim(), 'base64'))).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThan(1);
  });

  it('verifyBundle accepts the bundle, with the given key or the one in the manifest', async () => {
    const given = await verifyBundle(zipPath, { publicKeyPem: signer.publicKeyPem });
    expect(given).toMatchObject({ ok: true, exportId: ctx.exportId, signature: 'valid', keySource: 'given', problems: [] });
    expect(given.checked).toBe(entries.size - 2);
    const inside = await verifyBundle(zipPath);
    expect(inside).toMatchObject({ ok: true, signature: 'valid', keySource: 'manifest' });
    expect(inside.note).toMatch(/not who made it/);
  });

  it('a one-byte change to any file is named by verifyBundle', async () => {
    for (const name of entries.keys()) {
      const target = join(dir, 'tampered.zip');
      await rewriteZip(entries, target, name, flipMiddleByte);
      const report = await verifyBundle(target, { publicKeyPem: signer.publicKeyPem });
      expect(report.ok).toBe(false);
      if (name === 'manifest.json' || name === 'manifest.sig') {
        expect(report.signature).toBe('invalid');
        expect(report.problems).toContainEqual(expect.objectContaining({ problem: 'signature_invalid' }));
      } else if (name === 'audit.jsonl') {
        // The hash catches it, and so does the re-walked chain.
        expect(report.problems).toEqual([
          expect.objectContaining({ path: name, problem: 'hash_mismatch' }),
          expect.objectContaining({ path: name, problem: 'audit_chain_broken' }),
        ]);
      } else {
        expect(report.signature).toBe('valid');
        expect(report.problems).toEqual([expect.objectContaining({ path: name, problem: 'hash_mismatch' })]);
      }
    }
  }, 60_000);

  it('re-walks the exported audit chain: a broken link or a head other than the sealed one is reported', async () => {
    expect((await verifyBundle(zipPath)).auditChain).toEqual({ checked: 2, head: ctx.auditHead });
    const build = async (name: string, events: ExportAuditEvent[], head: { seq: number; hash: string }) => {
      const c = { ...newBundleContext(['jsonl', 'audit']), auditHead: head };
      const w = await BundleWriter.open(join(dir, `${name}-work`), c);
      await w.addPosts([]);
      await w.addAuditEvents(events);
      return (await w.finish({ zipPath: join(dir, `${name}.zip`), custody: [], signer })).zipPath;
    };
    const base = { orgId: ctx.org.id, actorType: 'user', actorId: null, targetType: null, targetId: null, ip: null, requestId: null, data: {} };
    const e1f = { ...base, seq: 1, id: 'x1', occurredAt: '2026-01-01T00:00:00.000Z', action: 'hold.created', prevHash: null };
    const e1 = { ...e1f, hash: auditHash(e1f) };
    const e2f = { ...base, seq: 2, id: 'x2', occurredAt: '2026-01-02T00:00:00.000Z', action: 'hold.updated', prevHash: e1.hash };
    const e2 = { ...e2f, hash: auditHash(e2f) };
    // An edited event (its hash no longer matches its fields), signed into an otherwise valid bundle.
    const edited = await verifyBundle(await build('edited', [e1, { ...e2, action: 'hold.released' }], { seq: 2, hash: e2.hash }));
    expect(edited.problems).toEqual([expect.objectContaining({ path: 'audit.jsonl', problem: 'audit_chain_broken', expected: 'seq 2', actual: 'hash_mismatch' })]);
    // A chain cut short of the head the manifest was sealed with.
    const cut = await verifyBundle(await build('cut', [e1], { seq: 2, hash: e2.hash }));
    expect(cut.problems).toEqual([expect.objectContaining({ path: 'audit.jsonl', problem: 'audit_head_mismatch' })]);
  });

  it('reports added and removed files', async () => {
    const target = join(dir, 'extra.zip');
    const copy = new Map(entries);
    copy.set('smuggled.txt', Buffer.from('x'));
    copy.delete('posts.csv');
    await rewriteZip(copy, target, '', (b) => b);
    const report = await verifyBundle(target);
    expect(report.problems).toEqual(expect.arrayContaining([{ path: 'smuggled.txt', problem: 'unlisted' }, { path: 'posts.csv', problem: 'missing' }]));
  });

  it('a different public key is a key mismatch and an invalid signature', async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const report = await verifyBundle(zipPath, { publicKeyPem: other });
    expect(report).toMatchObject({ ok: false, signature: 'invalid', keySource: 'given' });
    expect(report.problems.map((p) => p.problem).sort()).toEqual(['key_mismatch', 'signature_invalid']);
  });

  it('a truncated or missing zip is reported, not thrown', async () => {
    const bytes = await readFile(zipPath);
    const truncated = join(dir, 'truncated.zip');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const report = await verifyBundle(truncated);
    expect(report).toMatchObject({ ok: false, signature: 'missing' });
    expect(report.problems[0].problem).toBe('manifest_unreadable');
    expect((await verifyBundle(join(dir, 'nope.zip'))).problems[0].problem).toBe('manifest_unreadable');
    await writeFile(truncated, Buffer.from('not a zip at all'));
    expect((await verifyBundle(truncated)).ok).toBe(false);
  });

  it('an attachment whose bytes differ from the record is kept and flagged, not fatal', async () => {
    const c = newBundleContext(['jsonl', 'attachments']);
    const att = newExportAttachment('a.txt', Buffer.from('expected'));
    const w = await BundleWriter.open(join(dir, 'work2'), c);
    await w.addPosts([newExportPost(alice, '2026-01-01T00:00:00.000Z', 'x', { attachments: [att] })]);
    await w.addAttachment(att, Readable.from([Buffer.from('changed!!')]));
    const target = join(dir, 'mismatch.zip');
    await w.finish({ zipPath: target, custody: [], signer });
    const files = await readZip(target);
    expect(files.get(att.path!)!.toString()).toBe('changed!!');
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest.warnings.map((x: { problem: string }) => x.problem).sort()).toEqual(['attachment_hash_mismatch', 'attachment_size_mismatch']);
    expect(JSON.parse(files.get('custody.json')!.toString('utf8')).events.map((e: { event: string }) => e.event)).toContain('attachment_hash_mismatch');
    expect((await verifyBundle(target)).ok).toBe(true);
  });

  it('abort removes the work directory and a fresh open starts over', async () => {
    const work = join(dir, 'work3');
    const w = await BundleWriter.open(work, ctx);
    await w.addPosts(posts);
    await w.abort();
    await expect(stat(work)).rejects.toThrow();
    await writeFile(join(dir, 'stale'), 'x');
    const again = await BundleWriter.open(work, ctx);
    await again.abort();
  });
});
