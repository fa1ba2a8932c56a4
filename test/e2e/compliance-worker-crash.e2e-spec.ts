import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBundle } from '../../src/compliance/exports/bundle/bundle-verifier.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { downloadBundle, readZip } from '../helpers/zip.js';
import { bearer } from '../factories/factory.js';

const POSTS = 4000;

/**
 * Real processes: the API enqueues an export on BullMQ, worker A (the compiled worker, its own
 * process) starts it and is killed with SIGKILL mid-way; worker B takes the stalled job over and
 * produces a correct bundle. Its own Redis prefix keeps other suites' workers off these jobs.
 */
describe('a worker killed mid-export (BullMQ, separate worker processes)', () => {
  let t: TestApp;
  let exportDir: string;
  let env: NodeJS.ProcessEnv;
  const workers: ChildProcess[] = [];

  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, ['dist/src/worker.js'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    workers.push(child);
    return child;
  };
  const until = async <T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== null) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    exportDir = await mkdtemp(join(tmpdir(), 'chorus-crash-exports-'));
    const secretsKey = randomBytes(32).toString('base64');
    const prefix = `${process.env.REDIS_PREFIX}-crash`;
    const overrides = { REDIS_PREFIX: prefix, SECRETS_KEY: secretsKey, EXPORT_DIR: exportDir, COMPLIANCE_JOB_LOCK_SECONDS: '2' };
    t = await startTestApp(overrides);
    env = { ...process.env, ...overrides, LOG_LEVEL: 'warn', MIGRATIONS_RUN: 'false' };
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await t.close();
    await rm(exportDir, { recursive: true, force: true });
  });

  it('leaves no bundle marked complete; the next worker starts over and finishes it exactly once', async () => {
    const org = await t.factory.newOrg();
    const officer = await t.factory.newUser(org, { role: 'compliance' });
    await t.superuser.query(
      `INSERT INTO post (org_id, author_id, body, created_at)
       SELECT $1, $2, 'post ' || i || ' with some words', now() - make_interval(secs => i) FROM generate_series(1, ${POSTS}) i`,
      [org.id, org.admin.id],
    );
    await t.superuser.query(
      `INSERT INTO post_version (org_id, post_id, version, body, edited_by, created_at) SELECT org_id, id, 1, body, author_id, created_at FROM post WHERE org_id = $1`,
      [org.id],
    );
    const from = new Date(Date.now() - 2 * 86400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const status = async (id: string) => (await api(t.http).get(`/api/v1/compliance/exports/${id}`).set(bearer(officer)).expect(200)).body;

    const a = startWorker();
    const requested = (await api(t.http).post('/api/v1/compliance/exports').set(bearer(officer)).send({ from, to, formats: ['jsonl', 'csv', 'eml'] }).expect(202))
      .body;
    // Kill A once it has written some posts, long before it could finish.
    await until('worker A to make progress', async () => {
      const s = await status(requested.id);
      return s.status === 'running' && s.percent > 0 ? s : null;
    }, 60_000);
    a.kill('SIGKILL');
    await until('worker A to die', async () => (a.signalCode ? true : null), 10_000);
    const midway = await status(requested.id);
    expect(midway).toMatchObject({ status: 'running', attempts: 1, sha256: null });
    expect(midway.percent).toBeLessThan(85);
    expect(existsSync(join(exportDir, org.id, `${requested.id}.zip`))).toBe(false);

    startWorker();
    const done = await until('worker B to finish the export', async () => {
      const s = await status(requested.id);
      return s.status === 'completed' || s.status === 'failed' ? s : null;
    }, 90_000);
    expect(done).toMatchObject({ status: 'completed', attempts: 2, counts: expect.objectContaining({ posts: POSTS }) });

    const file = await downloadBundle(t.http, officer.token, requested.id, join(exportDir, 'download.zip'));
    expect((await verifyBundle(file)).ok).toBe(true);
    const files = await readZip(file);
    const ids = files.get('posts.jsonl')!.toString('utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(POSTS);
    expect(new Set(ids).size).toBe(POSTS);
    expect([...files.keys()].filter((n) => n.startsWith('messages/'))).toHaveLength(POSTS);
    expect(files.get('custody.json')!.toString('utf8')).toContain('restarted');
    // Completed once: one completion in the audit log, and no work directory left over.
    const audit = await api(t.http).get('/api/v1/audit').query({ action: 'export.completed', targetId: requested.id }).set(bearer(officer)).expect(200);
    expect(audit.body.items).toHaveLength(1);
    expect(existsSync(join(exportDir, 'work', org.id, requested.id))).toBe(false);
  }, 180_000);
});
