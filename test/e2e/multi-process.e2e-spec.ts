import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import request from 'supertest';
import { verifyBundle } from '../../src/compliance/exports/bundle/bundle-verifier.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';
import { smtpClient } from '../helpers/mail.js';
import { SseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { downloadBundle } from '../helpers/zip.js';

const DOMAIN = 'chorus.test';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Chorus as it is deployed: two API processes, two workers and a mail listener (the compiled
 * entry points, each its own process) on one PostgreSQL and one Redis. Live events cross API
 * processes through Redis, jobs run once across workers, and mail flows listener → worker → API.
 */
describe('several processes on one database and one Redis', () => {
  let t: TestApp;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];
  let apiA: string;
  let apiB: string;
  let apiBPort: number;
  let apiAPort: number;
  let smtpPort: number;
  let org: TestOrg;
  let officer: TestUser;

  const start = (script: string, extra: Record<string, string> = {}): ChildProcess => {
    const child = spawn(process.execPath, [script], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => process.stderr.write(`[${script}] ${c.toString()}`));
    children.push(child);
    return child;
  };
  const ready = (base: string) => until(`${base}/readyz`, async () => ((await fetch(`${base}/readyz`)).ok ? true : null), 60_000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chorus-multi-'));
    const overrides = {
      REDIS_PREFIX: `${process.env.REDIS_PREFIX}-multi`,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      EXPORT_DIR: join(dir, 'exports'),
      ATTACHMENT_DIR: join(dir, 'attachments'),
      POSTING_DOMAIN: DOMAIN,
      COMPLIANCE_JOB_LOCK_SECONDS: '5',
    };
    // This process only migrates and makes test data; it serves nothing the others use.
    t = await startTestApp(overrides);
    env = { ...process.env, ...overrides, LOG_LEVEL: 'warn', MIGRATIONS_RUN: 'false', HOST: '127.0.0.1' };

    const [portA, portB] = [await freePort(), await freePort()];
    apiBPort = portB;
    apiAPort = portA;
    apiA = `http://127.0.0.1:${portA}`;
    apiB = `http://127.0.0.1:${portB}`;
    start('dist/src/main.js', { PORT: String(portA) });
    start('dist/src/main.js', { PORT: String(portB) });
    start('dist/src/worker.js');
    start('dist/src/worker.js');
    const mail = start('dist/src/mail.js', { SMTP_PORT: '0', LOG_LEVEL: 'info' });
    smtpPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('mail listener did not start')), 60_000);
      createInterface({ input: mail.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'Chorus mail listener started') {
          clearTimeout(timer);
          resolve(entry.port!);
        }
      });
    });
    await Promise.all([ready(apiA), ready(apiB)]);

    org = await t.factory.newOrg();
    officer = await t.factory.newUser(org, { role: 'compliance' });
  }, 120_000);

  afterAll(async () => {
    // SIGTERM: every process drains and exits by itself, even with a live stream open (it is ended;
    // EventSource reconnects to another API process).
    const open = await SseClient.connect(apiAPort, '/api/v1/events', bearer(officer));
    const exits = children.map((c) => new Promise<number | null>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code)))));
    for (const c of children) c.kill('SIGTERM');
    const codes = await Promise.race([Promise.all(exits), new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    // Workers killed on purpose (SIGKILL) exit with no code; everything else must exit 0.
    const expected = children.map((c) => (c.signalCode === 'SIGKILL' ? null : 0));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    open.close();
    await t.close();
    await rm(dir, { recursive: true, force: true });
    expect(codes).toEqual(expected);
  }, 60_000);

  it('a post made through API A reaches a live client of API B; so does one that came by email through the mail listener and a worker', async () => {
    const member = await t.factory.newUser(org, { email: `ann.${randomUUID().slice(0, 6)}@corp.test` });
    const sse = await SseClient.connect(apiBPort, '/api/v1/events', bearer(member));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const made = await request(apiA).post('/api/v1/posts').set(bearer(member)).send({ body: 'Hello from A' }).expect(201);
      await sse.waitFor(1, 10_000);
      expect(sse.posts()[0]).toMatchObject({ type: 'post.created', data: { postId: made.body.id, post: { body: 'Hello from A' } } });

      const group = await request(apiB).post('/api/v1/groups').set(bearer(member)).send({ name: `Mail ${randomUUID().slice(0, 6)}` }).expect(201);
      await request(apiA).patch('/api/v1/org').set(bearer(org.admin)).send({ settings: { emailSecretAddresses: true } }).expect(200);
      const secret = await request(apiA).post(`/api/v1/groups/${group.body.id}/email-address/secret`).set(bearer(member)).expect(201);
      await smtpClient(smtpPort).sendMail({ from: member.email, to: secret.body.address as string, subject: 'By mail', text: 'Through three processes', messageId: `<${randomUUID()}@corp.test>` });
      await sse.waitFor(2, 20_000);
      expect(sse.posts()[1]).toMatchObject({ type: 'post.created', data: { post: { body: 'By mail\n\nThrough three processes' } } });
    } finally {
      sse.close();
    }
  });

  it('a retention sweep requested through one API runs exactly once across two workers', async () => {
    await request(apiA).put('/api/v1/compliance/retention').set(bearer(officer)).send({ retainDays: 30, deletedGraceDays: 0 }).expect(200);
    await t.superuser.query(
      `INSERT INTO post (org_id, author_id, body, created_at) SELECT $1, $2, 'old ' || i, now() - interval '40 days' FROM generate_series(1, 120) i`,
      [org.id, org.admin.id],
    );
    await request(apiB).post('/api/v1/compliance/retention/sweeps').set(bearer(officer)).expect(202);
    const sweeps = await until(
      'the sweep to finish',
      async () => {
        const res = await request(apiA).get('/api/v1/compliance/retention/sweeps').set(bearer(officer)).expect(200);
        const items = res.body.items as Array<{ status: string; counts: { purged: number } }>;
        return items.length > 0 && items.every((s) => s.status !== 'running') ? items : null;
      },
      60_000,
    );
    // Give a second (wrong) run time to show up before counting.
    await new Promise((r) => setTimeout(r, 2_000));
    const again = (await request(apiA).get('/api/v1/compliance/retention/sweeps').set(bearer(officer)).expect(200)).body.items as unknown[];
    expect(again).toHaveLength(1);
    expect(sweeps[0]).toMatchObject({ status: 'completed', counts: expect.objectContaining({ purged: 120 }) });
    const left = await t.superuser.query(`SELECT count(*)::int AS n FROM post WHERE org_id = $1 AND body LIKE 'old %'`, [org.id]);
    expect(left.rows[0].n).toBe(0);
  }, 90_000);

  it('an export requested through one API is built exactly once by the workers and downloads, verified, from the other', async () => {
    await t.superuser.query(`INSERT INTO post (org_id, author_id, body) SELECT $1, $2, 'recent ' || i FROM generate_series(1, 300) i`, [org.id, org.admin.id]);
    const from = new Date(Date.now() - 86400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const requested = await request(apiA).post('/api/v1/compliance/exports').set(bearer(officer)).send({ from, to, formats: ['jsonl', 'csv'] }).expect(202);
    const done = await until(
      'the export to finish',
      async () => {
        const s = (await request(apiB).get(`/api/v1/compliance/exports/${requested.body.id}`).set(bearer(officer)).expect(200)).body as { status: string };
        return s.status === 'completed' || s.status === 'failed' ? s : null;
      },
      90_000,
    );
    expect(done).toMatchObject({ status: 'completed', attempts: 1 });
    await new Promise((r) => setTimeout(r, 1_000));
    const audit = await request(apiB).get('/api/v1/audit').query({ action: 'export.completed', targetId: requested.body.id }).set(bearer(officer)).expect(200);
    expect(audit.body.items).toHaveLength(1);
    const file = await downloadBundle(apiB, officer.token, requested.body.id as string, join(dir, 'bundle.zip'));
    expect((await verifyBundle(file)).ok).toBe(true);
  }, 120_000);
  it('workers killed mid-export are followed by one that finishes it: a correct bundle, the job neither lost nor run twice', async () => {
    const POSTS = 4000;
    await t.superuser.query(`INSERT INTO post (org_id, author_id, body) SELECT $1, $2, 'bulk ' || i || ' with some words' FROM generate_series(1, ${POSTS}) i`, [org.id, org.admin.id]);
    await t.superuser.query(
      `INSERT INTO post_version (org_id, post_id, version, body, edited_by, created_at)
       SELECT org_id, id, 1, body, author_id, created_at FROM post p WHERE org_id = $1 AND body LIKE 'bulk %'
         AND NOT EXISTS (SELECT 1 FROM post_version v WHERE v.org_id = p.org_id AND v.post_id = p.id)`,
      [org.id],
    );
    const from = new Date(Date.now() - 86400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const status = async (id: string) => (await request(apiA).get(`/api/v1/compliance/exports/${id}`).set(bearer(officer)).expect(200)).body as { status: string; percent: number; attempts: number; counts: { posts: number } };
    const requested = await request(apiB).post('/api/v1/compliance/exports').set(bearer(officer)).send({ from, to, formats: ['jsonl', 'csv', 'eml'] }).expect(202);
    await until('the export to make progress', async () => {
      const s = await status(requested.body.id as string);
      return s.status === 'running' && s.percent > 0 ? s : null;
    }, 60_000);
    // Whichever worker has it, every worker dies at once (SIGKILL: no chance to hand anything back).
    const workers = children.filter((c) => c.spawnargs.some((a) => a.endsWith('worker.js')) && c.exitCode === null && c.signalCode === null);
    for (const w of workers) w.kill('SIGKILL');
    await until('the workers to die', async () => (workers.every((w) => w.signalCode !== null) ? true : null), 10_000);
    const midway = await status(requested.body.id as string);
    expect(midway.status).toBe('running');

    start('dist/src/worker.js');
    const done = await until('a new worker to finish the export', async () => {
      const s = await status(requested.body.id as string);
      return s.status === 'completed' || s.status === 'failed' ? s : null;
    }, 120_000);
    const total = (await t.superuser.query(`SELECT count(*)::int AS n FROM post WHERE org_id = $1 AND created_at BETWEEN $2 AND $3`, [org.id, from, to])).rows[0].n as number;
    expect(done).toMatchObject({ status: 'completed', attempts: 2, counts: expect.objectContaining({ posts: total }) });
    const file = await downloadBundle(apiA, officer.token, requested.body.id as string, join(dir, 'after-crash.zip'));
    expect((await verifyBundle(file)).ok).toBe(true);
    const audit = await request(apiA).get('/api/v1/audit').query({ action: 'export.completed', targetId: requested.body.id }).set(bearer(officer)).expect(200);
    expect(audit.body.items).toHaveLength(1);
  }, 240_000);
});
