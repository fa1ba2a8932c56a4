import { randomUUID } from 'node:crypto';
import { tamperWithAudit } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { runCli } from '../helpers/run-cli.js';

/** Each CLI run boots the app in a new process; a loaded machine makes that slow. */
const CLI_TIMEOUT = 120_000;

describe('admin CLI (compiled, run as a separate process)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  }, CLI_TIMEOUT);
  afterAll(() => t.close());

  const slug = () => `cli-${randomUUID().slice(0, 8)}`;

  it('org:create prints the org and admin ids, and the admin can sign in', async () => {
    const s = slug();
    const res = await runCli(['org:create', '--slug', s, '--name', 'CLI Org', '--admin-email', `a@${s}.test`, '--admin-password', 'a-long-password-1']);
    expect(res.code).toBe(0);
    expect(res.json).toMatchObject({ org: { id: expect.any(String), slug: s, name: 'CLI Org' }, admin: { id: expect.any(String), email: `a@${s}.test` } });
    const login = await api(t.http).post('/api/v1/auth/login').send({ org: s, email: `a@${s}.test`, password: 'a-long-password-1' }).expect(200);
    expect(login.body.user.role).toBe('admin');

    const again = await runCli(['org:create', '--slug', s, '--name', 'Dup', '--admin-email', 'b@x.test', '--admin-password', 'a-long-password-1']);
    expect(again.code).toBe(2);
    expect(again.json).toMatchObject({ error: 'org_slug_taken' });
  }, CLI_TIMEOUT);

  it('user:create and token:create serve automation; the printed token works as a bearer token', async () => {
    const s = slug();
    await runCli(['org:create', '--slug', s, '--name', 'Auto', '--admin-email', `a@${s}.test`, '--admin-password', 'a-long-password-1']);
    const user = await runCli(['user:create', '--org', s, '--email', `c@${s}.test`, '--name', 'Carla', '--role', 'compliance']);
    expect(user.code).toBe(0);
    expect(user.json).toMatchObject({ user: { email: `c@${s}.test`, role: 'compliance', handle: 'c' } });
    const token = await runCli(['token:create', '--org', s, '--email', `c@${s}.test`, '--name', 'ci', '--expires-days', '7']);
    expect(token.code).toBe(0);
    expect(token.json.token).toMatch(/^chorus_/);
    const me = await api(t.http).get('/api/v1/me').set('Authorization', `Bearer ${token.json.token as string}`).expect(200);
    expect(me.body.user.email).toBe(`c@${s}.test`);
  }, CLI_TIMEOUT);

  it('migration:run applies pending migrations and reports them (none left on the test database)', async () => {
    const res = await runCli(['migration:run']);
    expect(res.code).toBe(0);
    expect(res.json).toEqual({ applied: [] });
    const recorded = await t.superuser.query('SELECT name FROM schema_migration ORDER BY id');
    expect(recorded.rows.map((r: { name: string }) => r.name)).toContain('Foundation1795433853305');
  }, CLI_TIMEOUT);

  it('migration:status lists pending migrations and exits 1 until they are applied, changing nothing itself', async () => {
    expect(await runCli(['migration:status'])).toMatchObject({ code: 0, json: { pending: [] } });
    const db = `chorus_status_${Date.now()}`;
    await t.superuser.query(`CREATE DATABASE ${db}`);
    try {
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${db}`;
      const env = { DATABASE_URL: url.toString() };
      const fresh = await runCli(['migration:status'], env);
      expect(fresh.code).toBe(1);
      expect(fresh.json.applied).toBe(0);
      expect(fresh.json.pending).toEqual(expect.arrayContaining(['Foundation1795433853305', 'Email1795450000000']));
      // Asking did not migrate anything.
      expect((await runCli(['migration:status'], env)).json.pending).toEqual(fresh.json.pending);
      expect(await runCli(['migration:run'], env)).toMatchObject({ code: 0 });
      expect(await runCli(['migration:status'], env)).toMatchObject({ code: 0, json: { applied: (fresh.json.pending as string[]).length, pending: [] } });
    } finally {
      await t.superuser.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
  }, CLI_TIMEOUT);

  it('rejects bad arguments with a usage error and exit code 2', async () => {
    expect((await runCli(['org:create', '--name', 'No slug'])).code).toBe(2);
    expect((await runCli(['user:create', '--org', 'nope-nope', '--email', 'x@y.test', '--name', 'X'])).code).toBe(2);
    expect((await runCli(['org:create', '--slug', 'Bad Slug!', '--name', 'N', '--admin-email', 'a@b.test', '--admin-password', 'a-long-password-1'])).code).toBe(2);
    expect((await runCli(['no:such-command'])).code).toBe(2);
    expect((await runCli(['org:create', '--bogus-flag', 'x'])).code).toBe(2);
  }, CLI_TIMEOUT);

  it('audit:verify reports OK, then the first broken link after tampering (exit 1)', async () => {
    const s = slug();
    const created = await runCli(['org:create', '--slug', s, '--name', 'Audit', '--admin-email', `a@${s}.test`, '--admin-password', 'a-long-password-1']);
    await runCli(['user:create', '--org', s, '--email', `u@${s}.test`, '--name', 'U']);
    const ok = await runCli(['audit:verify', '--org', s]);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, checked: 3 });

    const orgId = (created.json.org as { id: string }).id;
    await tamperWithAudit(t.superuser, `UPDATE audit_event SET actor_type = 'user' WHERE org_id = $1 AND seq = 2`, [orgId]);
    const broken = await runCli(['audit:verify', '--org', s]);
    expect(broken.code).toBe(1);
    expect(broken.json).toMatchObject({ ok: false, checked: 1, firstBreak: { seq: 2, reason: 'hash_mismatch' } });
  }, CLI_TIMEOUT);

  it('retention:sweep purges what the policy says is due and prints the counts', async () => {
    const s = slug();
    const created = await runCli(['org:create', '--slug', s, '--name', 'Retain', '--admin-email', `a@${s}.test`, '--admin-password', 'a-long-password-1']);
    const orgId = (created.json.org as { id: string }).id;
    const adminId = (created.json.admin as { id: string }).id;
    await t.superuser.query(`INSERT INTO retention_policy (org_id, retain_days) VALUES ($1, 30)`, [orgId]);
    const ids = (
      await t.superuser.query(
        `INSERT INTO post (org_id, author_id, body, created_at) VALUES ($1, $2, 'old', now() - interval '40 days'), ($1, $2, 'new', now()) RETURNING id, body`,
        [orgId, adminId],
      )
    ).rows as { id: string; body: string }[];
    const res = await runCli(['retention:sweep', '--org', s]);
    expect(res.code).toBe(0);
    expect(res.json).toMatchObject({ org: s, counts: { purged: 1, byScope: { company: 1 } } });
    const left = (await t.superuser.query(`SELECT body FROM post WHERE org_id = $1`, [orgId])).rows.map((r: { body: string }) => r.body);
    expect(left).toEqual(['new']);
    expect(ids).toHaveLength(2);
  }, CLI_TIMEOUT);

  it('demo:seed creates a living demo org once and prints a login that works', async () => {
    // The demo org has a fixed slug; start from a database without it so the test is repeatable.
    const first = await runCli(['demo:seed']);
    expect(first.code).toBe(0);
    const login = first.json.login as { org: string; email: string; password: string };
    expect(login).toMatchObject({ org: 'demo', email: 'admin@demo.test' });
    const second = await runCli(['demo:seed']);
    expect(second.json).toMatchObject({ created: false, login: { org: 'demo' } });
    const session = await api(t.http).post('/api/v1/auth/login').send(login).expect(200);
    const cookie = ([] as string[]).concat(session.headers['set-cookie'])[0].split(';')[0];
    const users = await api(t.http).get('/api/v1/users').set('Cookie', cookie).expect(200);
    expect(users.body.items.length).toBeGreaterThanOrEqual(7);
    const groups = await api(t.http).get('/api/v1/groups').set('Cookie', cookie).expect(200);
    expect(groups.body.items.map((g: { name: string }) => g.name)).toEqual(['Design', 'Engineering', 'Leadership', 'Random']);
    expect(first.json).toMatchObject({ posts: 120, replies: expect.any(Number), reactions: expect.any(Number) });
    expect((first.json.replies as number) + (first.json.reactions as number)).toBeGreaterThan(150);
    const company = await api(t.http).get('/api/v1/streams/home?limit=50').set('Cookie', cookie).expect(200);
    expect(company.body.items.length).toBe(50);
  }, CLI_TIMEOUT);
});
