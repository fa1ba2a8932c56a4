import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, PASSWORD } from '../factories/factory.js';

describe('local sign-in, sessions and CSRF', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '60' });
  });
  afterAll(() => t.close());

  it('signs in with an HttpOnly SameSite session cookie and never returns the password hash', async () => {
    const org = await t.factory.newOrg();
    const res = await api(t.http)
      .post('/api/v1/auth/login')
      .send({ org: org.slug, email: org.admin.email.toUpperCase(), password: PASSWORD })
      .expect(200);
    const cookies = ([] as string[]).concat(res.headers['set-cookie']);
    const session = cookies.find((c) => c.startsWith('chorus_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(res.body.user).toMatchObject({ id: org.admin.id, role: 'admin' });
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|passwordHash/);
    expect(res.body.csrfToken).toEqual(expect.any(String));

    const me = await api(t.http).get('/api/v1/me').set('Cookie', session.split(';')[0]).expect(200);
    expect(me.body).toMatchObject({ user: { id: org.admin.id }, org: { slug: org.slug }, authMethod: 'session' });
  });

  it('rejects a wrong password, unknown user and unknown org alike, and audits the failure', async () => {
    const org = await t.factory.newOrg();
    for (const body of [
      { org: org.slug, email: org.admin.email, password: 'wrong-password' },
      { org: org.slug, email: 'nobody@x.test', password: PASSWORD },
      { org: 'no-such-org', email: org.admin.email, password: PASSWORD },
    ]) {
      const res = await api(t.http).post('/api/v1/auth/login').send(body).expect(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('invalid_credentials');
    }
    const audit = await api(t.http).get('/api/v1/audit?action=auth.login_failed').set(bearer(org.admin)).expect(200);
    expect(audit.body.items.map((e: { data: { reason: string } }) => e.data.reason).sort()).toEqual(['bad_password', 'unknown_user']);
  });

  it('logout revokes the session server-side', async () => {
    const org = await t.factory.newOrg();
    const browser = await t.factory.login(org.admin);
    await api(t.http).post('/api/v1/auth/logout').set('Cookie', browser.cookie).set('X-CSRF-Token', browser.csrf).expect(204);
    const res = await api(t.http).get('/api/v1/me').set('Cookie', browser.cookie).expect(401);
    expect(res.body.code).toBe('unauthenticated');
  });

  it('requires the CSRF token on cookie-authenticated writes, but not on bearer requests', async () => {
    const org = await t.factory.newOrg();
    const browser = await t.factory.login(org.admin);
    const missing = await api(t.http).post('/api/v1/groups').set('Cookie', browser.cookie).send({ name: 'No CSRF' }).expect(403);
    expect(missing.body.code).toBe('csrf_failed');
    const wrong = await api(t.http).post('/api/v1/groups').set('Cookie', browser.cookie).set('X-CSRF-Token', 'x'.repeat(43)).send({ name: 'Wrong CSRF' });
    expect(wrong.status).toBe(403);
    const groups = await api(t.http).get('/api/v1/groups').set(bearer(org.admin)).expect(200);
    expect(groups.body.items).toHaveLength(0);
    await api(t.http).post('/api/v1/groups').set('Cookie', browser.cookie).set('X-CSRF-Token', browser.csrf).send({ name: 'With CSRF' }).expect(201);
    await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name: 'Bearer' }).expect(201);
  });

  it('throttles repeated failures per account, even for the right password, with Retry-After', async () => {
    const org = await t.factory.newOrg();
    const attempt = (password: string) => api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: org.admin.email, password });
    for (let i = 0; i < 3; i++) await attempt('wrong-password').expect(401);
    const locked = await attempt(PASSWORD).expect(429);
    expect(locked.body.code).toBe('login_throttled');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const other = await t.factory.newUser(org);
    await t.factory.login(other);
    const audit = await api(t.http).get('/api/v1/audit?action=auth.login_throttled').set(bearer(org.admin)).expect(200);
    expect(audit.body.items).toHaveLength(1);
  });

  it('lists my sessions and revokes another one', async () => {
    const org = await t.factory.newOrg();
    const a = await t.factory.login(org.admin);
    const b = await t.factory.login(org.admin);
    const list = await api(t.http).get('/api/v1/sessions').set('Cookie', a.cookie).expect(200);
    expect(list.body.items).toHaveLength(2);
    const other = list.body.items.find((s: { current: boolean }) => !s.current);
    await api(t.http).delete(`/api/v1/sessions/${other.id}`).set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf).expect(204);
    await api(t.http).get('/api/v1/me').set('Cookie', b.cookie).expect(401);
    await api(t.http).get('/api/v1/me').set('Cookie', a.cookie).expect(200);
  });

  it('expires sessions left idle beyond SESSION_IDLE_HOURS', async () => {
    const org = await t.factory.newOrg();
    const browser = await t.factory.login(org.admin);
    await t.superuser.query(`UPDATE user_session SET last_seen_at = now() - interval '25 hours' WHERE org_id = $1`, [org.id]);
    await api(t.http).get('/api/v1/me').set('Cookie', browser.cookie).expect(401);
  });
});

describe('per-IP sign-in budget', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Its own Redis namespace, so the budget is not shared with other suites signing in from 127.0.0.1.
    t = await startTestApp({ LOGIN_MAX_PER_IP: '4', REDIS_PREFIX: `ip-budget-${Date.now()}` });
  });
  afterAll(() => t.close());

  it('answers 429 once one address has spent its attempts, across accounts', async () => {
    const org = await t.factory.newOrg();
    const users = [org.admin, await t.factory.newUser(org), await t.factory.newUser(org)];
    for (let i = 0; i < 4; i++) {
      const u = users[i % users.length];
      await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: u.email, password: 'wrong-password' }).expect(401);
    }
    const res = await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: users[2].email, password: PASSWORD }).expect(429);
    expect(res.body.code).toBe('login_throttled');
  });
});

describe('changing my password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('needs the current password, ends my other sessions, keeps this one, and is audited', async () => {
    const org = await t.factory.newOrg();
    const user = await t.factory.newUser(org);
    const here = await t.factory.login(user);
    const elsewhere = await t.factory.login(user);
    const change = (body: object) =>
      api(t.http).post('/api/v1/me/password').set('Cookie', here.cookie).set('X-CSRF-Token', here.csrf).send(body);

    expect((await change({ currentPassword: 'not-it-at-all', newPassword: 'a-brand-new-password' }).expect(403)).body.code).toBe('wrong_password');
    expect((await change({ currentPassword: PASSWORD, newPassword: 'short' }).expect(400)).body.code).toBe('validation_failed');
    await change({ currentPassword: PASSWORD, newPassword: 'a-brand-new-password' }).expect(204);

    await api(t.http).get('/api/v1/me').set('Cookie', here.cookie).expect(200);
    await api(t.http).get('/api/v1/me').set('Cookie', elsewhere.cookie).expect(401);
    await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: user.email, password: PASSWORD }).expect(401);
    await t.factory.login(user, 'a-brand-new-password');
    const audit = await api(t.http).get('/api/v1/audit?action=user.password_changed').set(bearer(org.admin)).expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ target: { type: 'user', id: user.id }, data: { sessionsRevoked: 1 } })]);
  });
});
