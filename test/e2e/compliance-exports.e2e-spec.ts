import { createHash, randomBytes, verify as verifySignature, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { ChainVerifier } from '../../src/audit/audit-chain.js';
import { InProcessJobQueue } from '../../src/jobs/in-process-job-queue.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { ExportReader } from '../../src/compliance/exports/export-reader.js';
import { ExportRunner } from '../../src/compliance/exports/export-runner.js';
import { ExportRepository } from '../../src/compliance/exports/export.repository.js';
import { ExportService } from '../../src/compliance/exports/export.service.js';
import { verifyBundle } from '../../src/compliance/exports/bundle/bundle-verifier.js';
import type { ExportPost } from '../../src/compliance/exports/bundle/bundle.types.js';
import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { downloadBundle, readZip } from '../helpers/zip.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

const SECRETS_KEY = randomBytes(32).toString('base64');
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082',
  'hex',
);

interface ExportBody {
  id: string;
  status: string;
  percent: number;
  counts: Record<string, number>;
  attempts: number;
  sha256: string | null;
  downloadUrl: string | null;
  expiresAt: string | null;
}

describe('compliance exports: signed bundles that match the database', () => {
  let t: TestApp;
  let exportDir: string;
  let attachmentDir: string;
  let org: TestOrg;
  let compliance: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let groupId: string;
  let privateGroupId: string;
  const range = { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 3600_000).toISOString() };

  const post = async (user: TestUser, body: Record<string, unknown>) =>
    (await api(t.http).post('/api/v1/posts').set(bearer(user)).send(body).expect(201)).body.id as string;
  const queue = () => t.app.get(JobQueue) as InProcessJobQueue;
  const requestExport = async (body: Record<string, unknown>, by = compliance) =>
    (await api(t.http).post('/api/v1/compliance/exports').set(bearer(by)).send(body).expect(202)).body as ExportBody;
  const status = async (id: string) => (await api(t.http).get(`/api/v1/compliance/exports/${id}`).set(bearer(compliance)).expect(200)).body as ExportBody;
  const download = (id: string) => downloadBundle(t.http, compliance.token, id, join(exportDir, `download-${id}.zip`));
  const jsonl = (bytes: Buffer) =>
    bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as ExportPost);

  beforeAll(async () => {
    exportDir = await mkdtemp(join(tmpdir(), 'chorus-exports-'));
    attachmentDir = await mkdtemp(join(tmpdir(), 'chorus-export-attachments-'));
    t = await startTestApp({ REDIS_URL: '', SECRETS_KEY, EXPORT_DIR: exportDir, ATTACHMENT_DIR: attachmentDir });
    org = await t.factory.newOrg();
    compliance = await t.factory.newUser(org, { role: 'compliance' });
    alice = await t.factory.newUser(org, { displayName: 'Alice' });
    bob = await t.factory.newUser(org, { displayName: 'Bob' });
    groupId = (await api(t.http).post('/api/v1/groups').set(bearer(alice)).send({ name: `Sales ${Date.now()}` }).expect(201)).body.id;
    privateGroupId = (await api(t.http).post('/api/v1/groups').set(bearer(bob)).send({ name: `Secret ${Date.now()}`, visibility: 'private' }).expect(201))
      .body.id;
    await api(t.http).post(`/api/v1/groups/${groupId}/join`).set(bearer(bob)).expect(200);

    const root = await post(alice, { body: 'Quarterly numbers are in #q3 @' + 'x', groupId });
    await post(bob, { body: 'Great work!', parentId: root });
    const edited = await post(alice, { body: 'first draft' });
    await api(t.http).patch(`/api/v1/posts/${edited}`).set(bearer(alice)).send({ body: 'second draft' }).expect(200);
    await api(t.http).patch(`/api/v1/posts/${edited}`).set(bearer(alice)).send({ body: 'final text ✅ with émoji 🎉' }).expect(200);
    const deleted = await post(bob, { body: 'oops, wrong group', groupId: privateGroupId });
    await api(t.http).delete(`/api/v1/posts/${deleted}`).set(bearer(bob)).expect(204);
    await api(t.http).post(`/api/v1/posts/${root}/reactions/like`).set(bearer(bob)).expect(200);
    const upload = await api(t.http).post('/api/v1/attachments').set(bearer(alice)).attach('file', PNG, { filename: 'chart.png', contentType: 'image/png' }).expect(201);
    // A name a filesystem would hide or refuse: the bundle path must still be a safe one.
    const hidden = await api(t.http).post('/api/v1/attachments').set(bearer(alice)).attach('file', PNG, { filename: '..hidden: chart?.png', contentType: 'image/png' }).expect(201);
    await post(alice, { body: 'see the chart', attachmentIds: [upload.body.id, hidden.body.id] });
    await post(bob, { body: '=HYPERLINK("http://evil")' });
    // Two posts with the very same timestamp, to be split across a read batch.
    const twinA = await post(alice, { body: 'twin A' });
    const twinB = await post(bob, { body: 'twin B' });
    await t.superuser.query(`UPDATE post SET created_at = (SELECT created_at FROM post WHERE org_id = $1 AND id = $2) WHERE org_id = $1 AND id = $3`, [
      org.id,
      twinA,
      twinB,
    ]);
    // Outside every range used below.
    const old = await post(alice, { body: 'ancient history' });
    await t.superuser.query(`UPDATE post SET created_at = now() - interval '30 days' WHERE org_id = $1 AND id = $2`, [org.id, old]);
  });
  afterAll(async () => {
    await t.close();
    await rm(exportDir, { recursive: true, force: true });
    await rm(attachmentDir, { recursive: true, force: true });
  });

  /** What the database holds for the org in the range: the truth the bundle must equal. */
  async function truth(filter = ''): Promise<Map<string, { body: string; versions: string[]; deletedAt: string | null; onHold: boolean; reactions: number; attachments: string[] }>> {
    const rows = (
      await t.superuser.query(
        `SELECT p.id, p.body, p.on_hold,
           to_char(p.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS deleted_at,
           (SELECT array_agg(v.body ORDER BY v.version) FROM post_version v WHERE v.org_id = p.org_id AND v.post_id = p.id) AS versions,
           (SELECT count(*)::int FROM post_reaction r WHERE r.org_id = p.org_id AND r.post_id = p.id) AS reactions,
           coalesce((SELECT array_agg(a.sha256) FROM attachment a WHERE a.org_id = p.org_id AND a.post_id = p.id), '{}') AS attachments
         FROM post p WHERE p.org_id = $1 AND p.created_at >= $2 AND p.created_at < $3 ${filter}`,
        [org.id, range.from, range.to],
      )
    ).rows as { id: string; body: string; on_hold: boolean; deleted_at: string | null; versions: string[]; reactions: number; attachments: string[] }[];
    return new Map(rows.map((r) => [r.id, { body: r.body, versions: r.versions, deletedAt: r.deleted_at, onHold: r.on_hold, reactions: r.reactions, attachments: r.attachments }]));
  }

  function expectMatches(records: ExportPost[], expected: Awaited<ReturnType<typeof truth>>): void {
    expect(records.map((r) => r.id).sort()).toEqual([...expected.keys()].sort());
    for (const r of records) {
      const e = expected.get(r.id)!;
      expect({
        body: r.body,
        versions: r.versions.map((v) => v.body),
        deletedAt: r.deletedAt,
        onHold: r.onHold,
        reactions: r.reactions.length,
        attachments: r.attachments.map((a) => a.sha256),
      }).toEqual(e);
    }
  }

  it('builds a complete, signed bundle through the API and job, with progress, and its contents equal the database', async () => {
    t.app.get(ExportRunner).batchSize = 3;
    try {
      const requested = await requestExport({ ...range, formats: ['jsonl', 'csv', 'eml', 'rsmf', 'attachments', 'audit'] });
      expect(requested).toMatchObject({ status: 'queued', percent: 0, downloadUrl: null });
      await queue().drain();
      const done = await status(requested.id);
      expect(done).toMatchObject({ status: 'completed', percent: 100, attempts: 1, downloadUrl: `/api/v1/compliance/exports/${requested.id}/download` });
      expect(done.counts).toMatchObject({ total: 8, processed: 8, posts: 8, versions: 10, deletedPosts: 1, attachments: 2 });
      expect(new Date(done.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 6 * 86400_000);

      const file = await download(requested.id);
      const files = await readZip(file);
      const records = jsonl(files.get('posts.jsonl')!);
      expectMatches(records, await truth());
      // Keyset order (created_at, id) with the twins split across batches of 3: each exactly once.
      expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
      const edited = records.find((r) => r.body.startsWith('final text'))!;
      expect(edited.versions.map((v) => v.version)).toEqual([1, 2, 3]);
      expect(edited.editedAt).not.toBeNull();
      const deleted = records.find((r) => r.body === 'oops, wrong group')!;
      expect(deleted.group).toMatchObject({ id: privateGroupId, visibility: 'private' });
      const reply = records.find((r) => r.body === 'Great work!')!;
      expect(reply.threadId).toBe(reply.parentId);
      expect(records.find((r) => r.id === reply.parentId)?.hashtags).toEqual(['q3']);
      expect(records.every((r) => r.source.kind === 'api')).toBe(true);
      const withFile = records.find((r) => r.attachments.length === 2)!;
      expect(withFile.attachments.map((a) => a.path)).toEqual([
        `attachments/${withFile.attachments[0].id}/chart.png`,
        `attachments/${withFile.attachments[1].id}/hidden_ chart_.png`,
      ]);
      for (const a of withFile.attachments) expect(files.get(a.path!)!.equals(PNG)).toBe(true);
      expect(files.has('posts.csv')).toBe(true);
      expect([...files.keys()].filter((n) => n.startsWith('messages/') && n.endsWith('.eml'))).toHaveLength(8);
      expect([...files.keys()].some((n) => n.startsWith('rsmf/'))).toBe(true);
      expect(files.has('audit.jsonl')).toBe(true);

      // The manifest lists every file with its hash, and the signature checks with the published key.
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { exportId: string; files: { path: string; sha256: string; size: number }[] };
      expect(manifest.exportId).toBe(requested.id);
      for (const f of manifest.files) expect(createHash('sha256').update(files.get(f.path)!).digest('hex')).toBe(f.sha256);
      const listed = new Set(manifest.files.map((f) => f.path));
      expect([...files.keys()].filter((n) => !listed.has(n)).sort()).toEqual(['manifest.json', 'manifest.sig']);
      const key = (await api(t.http).get('/api/v1/compliance/export-key').set(bearer(compliance)).expect(200)).body;
      expect(key).toMatchObject({ algorithm: 'Ed25519', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const signature = Buffer.from(files.get('manifest.sig')!.toString('utf8').trim(), 'base64');
      expect(verifySignature(null, files.get('manifest.json')!, createPublicKey(key.publicKeyPem), signature)).toBe(true);
      const report = await verifyBundle(file, { publicKeyPem: key.publicKeyPem });
      expect(report).toMatchObject({ ok: true, signature: 'valid', keySource: 'given', problems: [] });

      const custody = JSON.parse(files.get('custody.json')!.toString('utf8'));
      expect(JSON.stringify(custody)).toContain(compliance.id);
      // The signed manifest anchors the audit chain head as it was when the bundle was sealed.
      const head = (await t.superuser.query(`SELECT seq::int AS seq, encode(hash, 'hex') AS hash FROM audit_event WHERE org_id = $1 AND action = 'export.requested' AND target_id = $2`, [org.id, requested.id])).rows[0];
      const anchored = (manifest as unknown as { auditHead: { seq: number; hash: string } }).auditHead;
      expect(anchored.seq).toBeGreaterThanOrEqual(head.seq);
      const atAnchor = (await t.superuser.query(`SELECT encode(hash, 'hex') AS hash FROM audit_event WHERE org_id = $1 AND seq = $2`, [org.id, anchored.seq])).rows[0];
      expect(atAnchor.hash).toBe(anchored.hash);
      // The exported audit log re-verifies from genesis up to that head.
      const events = files.get('audit.jsonl')!.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
      const verifier = new ChainVerifier();
      for (const e of events) expect(verifier.check(e)).toBeNull();
      expect(events[events.length - 1]).toMatchObject(anchored);
      expect(report.auditChain).toEqual({ checked: events.length, head: anchored });

      // Request, completion and download are in the audit log.
      const audit = await api(t.http).get('/api/v1/audit').query({ targetId: requested.id }).set(bearer(compliance)).expect(200);
      expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['export.completed', 'export.downloaded', 'export.requested']);
    } finally {
      t.app.get(ExportRunner).batchSize = 500;
    }
  });

  it('filters by custodian, group, legal hold and full-text query (over earlier versions too)', async () => {
    await t.superuser.query(`INSERT INTO legal_hold (org_id, matter, custodian_ids, created_by) VALUES ($1, 'Bob v. Corp', $2, $3)`, [org.id, [bob.id], compliance.id]);
    await t.superuser.query(`BEGIN; SELECT set_config('app.org_id', '${org.id}', true); SELECT legal_hold_refresh(); COMMIT;`);
    const holdId = (await t.superuser.query(`SELECT id FROM legal_hold WHERE org_id = $1`, [org.id])).rows[0].id as string;
    const byHold = await requestExport({ ...range, holdId, formats: ['jsonl'] });
    const byAlice = await requestExport({ ...range, custodians: [alice.id], formats: ['jsonl'] });
    const inGroup = await requestExport({ ...range, groups: [groupId], formats: ['jsonl'] });
    const byQuery = await requestExport({ ...range, query: 'draft', formats: ['jsonl'] });
    await queue().drain();

    const records = async (id: string) => jsonl((await readZip(await download(id))).get('posts.jsonl')!);
    expectMatches(await records(byAlice.id), await truth(`AND p.author_id = '${alice.id}'`));
    expectMatches(await records(inGroup.id), await truth(`AND p.group_id = '${groupId}'`));
    // "draft" only survives in versions 1 and 2 of the edited post.
    const found = await records(byQuery.id);
    expect(found.map((r) => r.body)).toEqual(['final text ✅ with émoji 🎉']);
    // Bob's posts, plus replies in conversations whose root Bob wrote; all marked held.
    const held = await records(byHold.id);
    expectMatches(held, await truth(`AND p.on_hold`));
    expect(held.every((r) => r.onHold)).toBe(true);
    expect(held.map((r) => r.author.id)).toContain(bob.id);
  });

  it('reports progress after the first batch, then at most once a second however many batches there are', async () => {
    const runner = t.app.get(ExportRunner);
    const repo = t.app.get(ExportRepository);
    runner.batchSize = 1;
    const spy = jest.spyOn(repo, 'progress');
    try {
      const began = Date.now();
      const requested = await requestExport({ ...range, formats: ['jsonl'] });
      await queue().drain();
      const done = await status(requested.id);
      expect(done.status).toBe('completed');
      const whileReading = spy.mock.calls.filter(([, id, percent]) => id === requested.id && percent < 85);
      expect(done.counts.processed).toBeGreaterThan(3); // one batch per post
      expect(whileReading.length).toBeGreaterThanOrEqual(1);
      expect(whileReading.length).toBeLessThanOrEqual(1 + Math.floor((Date.now() - began) / 1000));
    } finally {
      spy.mockRestore();
      runner.batchSize = 500;
    }
  });

  it('a run that dies mid-way leaves the export running with no bundle; the retry starts over and completes', async () => {
    const runner = t.app.get(ExportRunner);
    const reader = t.app.get(ExportReader);
    runner.batchSize = 2;
    const original = reader.batch.bind(reader);
    let calls = 0;
    const spy = jest.spyOn(reader, 'batch').mockImplementation(async (...args) => {
      if (++calls === 3) throw new Error('worker killed');
      return original(...args);
    });
    try {
      const requested = await requestExport({ ...range, formats: ['jsonl', 'eml'] });
      // The in-process queue runs attempt 1 at once; wait for it to fail.
      for (let i = 0; i < 100 && calls < 3; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      const midway = await status(requested.id);
      expect(midway).toMatchObject({ status: 'running', attempts: 1, sha256: null, downloadUrl: null });
      expect(midway.percent).toBeGreaterThan(0);
      expect(midway.percent).toBeLessThan(100);
      expect(existsSync(join(exportDir, org.id, `${requested.id}.zip`))).toBe(false);
      expectProblem(await api(t.http).get(`/api/v1/compliance/exports/${requested.id}/download`).set(bearer(compliance)), 409, 'export_not_ready');

      spy.mockRestore();
      // What a second worker does when it picks the job up (the queued retry then finds it done).
      await runner.run(org.id, requested.id);
      const done = await status(requested.id);
      expect(done).toMatchObject({ status: 'completed', attempts: 2 });
      const file = await download(requested.id);
      const files = await readZip(file);
      expectMatches(jsonl(files.get('posts.jsonl')!), await truth());
      expect(files.get('custody.json')!.toString('utf8')).toContain('restarted');
      expect((await verifyBundle(file)).ok).toBe(true);
      await queue().drain();
      expect((await status(requested.id)).attempts).toBe(2);
      // No work directories are left behind.
      expect(await readdir(join(exportDir, 'work', org.id)).catch(() => [])).toEqual([]);
    } finally {
      spy.mockRestore();
      runner.batchSize = 500;
    }
  }, 30_000);

  it('bundles expire: the file is deleted, the download answers 410 and the expiry is audited', async () => {
    const requested = await requestExport({ ...range, formats: ['jsonl'] });
    await queue().drain();
    expect((await status(requested.id)).status).toBe('completed');
    await t.superuser.query(`UPDATE compliance_export SET expires_at = now() - interval '1 minute' WHERE org_id = $1 AND id = $2`, [org.id, requested.id]);
    expect(await t.app.get(ExportService).expire(org.id)).toMatchObject({ expired: 1 });
    expect(existsSync(join(exportDir, org.id, `${requested.id}.zip`))).toBe(false);
    expect((await status(requested.id)).status).toBe('expired');
    expectProblem(await api(t.http).get(`/api/v1/compliance/exports/${requested.id}/download`).set(bearer(compliance)), 410, 'export_expired');
    const audit = await api(t.http).get('/api/v1/audit').query({ action: 'export.expired', targetId: requested.id }).set(bearer(compliance)).expect(200);
    expect(audit.body.items).toHaveLength(1);
  });

  it('only the compliance role reaches exports: members and admins get 403 on every endpoint', async () => {
    const requested = await requestExport({ ...range, formats: ['jsonl'] });
    await queue().drain();
    for (const user of [alice, org.admin]) {
      const calls = [
        api(t.http).post('/api/v1/compliance/exports').set(bearer(user)).send(range),
        api(t.http).get('/api/v1/compliance/exports').set(bearer(user)),
        api(t.http).get(`/api/v1/compliance/exports/${requested.id}`).set(bearer(user)),
        api(t.http).get(`/api/v1/compliance/exports/${requested.id}/download`).set(bearer(user)),
        api(t.http).get('/api/v1/compliance/export-key').set(bearer(user)),
      ];
      for (const call of calls) expectProblem(await call, 403, 'forbidden');
    }
  });

  it("another org's exports are 404 and its users cannot be named as custodians", async () => {
    const requested = await requestExport({ ...range, formats: ['jsonl'] });
    await queue().drain();
    const other = await t.factory.newOrg();
    const otherCompliance = await t.factory.newUser(other, { role: 'compliance' });
    expectProblem(await api(t.http).get(`/api/v1/compliance/exports/${requested.id}`).set(bearer(otherCompliance)), 404, 'not_found');
    expectProblem(await api(t.http).get(`/api/v1/compliance/exports/${requested.id}/download`).set(bearer(otherCompliance)), 404, 'not_found');
    const list = await api(t.http).get('/api/v1/compliance/exports').set(bearer(otherCompliance)).expect(200);
    expect(list.body.items).toEqual([]);
    const res = await api(t.http).post('/api/v1/compliance/exports').set(bearer(otherCompliance)).send({ ...range, custodians: [alice.id] });
    expectProblem(res, 400, 'unknown_custodians');
    expect(res.body.unknownIds).toEqual([alice.id]);
    // Each org signs with its own key.
    const mine = (await api(t.http).get('/api/v1/compliance/export-key').set(bearer(compliance)).expect(200)).body.fingerprint;
    const theirs = (await api(t.http).get('/api/v1/compliance/export-key').set(bearer(otherCompliance)).expect(200)).body.fingerprint;
    expect(mine).not.toBe(theirs);
  });

  it('bad requests are 400 problems and queue nothing', async () => {
    const before = (await t.superuser.query(`SELECT count(*)::int AS n FROM compliance_export WHERE org_id = $1`, [org.id])).rows[0].n;
    const send = (body: Record<string, unknown>) => api(t.http).post('/api/v1/compliance/exports').set(bearer(compliance)).send(body);
    expectProblem(await send({ from: range.to, to: range.from }), 400, 'invalid_range');
    expectProblem(await send({ to: range.to }), 400, 'validation_failed');
    expectProblem(await send({ ...range, formats: ['pdf'] }), 400, 'validation_failed');
    expectProblem(await send({ ...range, custodians: ['not-a-uuid'] }), 400, 'validation_failed');
    expectProblem(await send({ ...range, holdId: '00000000-0000-4000-8000-000000000000' }), 400, 'unknown_hold');
    expectProblem(await send({ ...range, query: 'x'.repeat(501) }), 400, 'validation_failed');
    const after = (await t.superuser.query(`SELECT count(*)::int AS n FROM compliance_export WHERE org_id = $1`, [org.id])).rows[0].n;
    expect(after).toBe(before);
  });
});

describe('compliance exports without SECRETS_KEY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: '', SECRETS_KEY: '' });
  });
  afterAll(() => t.close());

  it('refuses with 503 secrets_key_missing instead of queueing an export it could not sign', async () => {
    const org = await t.factory.newOrg();
    const compliance = await t.factory.newUser(org, { role: 'compliance' });
    const res = await api(t.http)
      .post('/api/v1/compliance/exports')
      .set(bearer(compliance))
      .send({ from: new Date(Date.now() - 1000).toISOString(), to: new Date().toISOString() });
    expectProblem(res, 503, 'secrets_key_missing');
  });
});
