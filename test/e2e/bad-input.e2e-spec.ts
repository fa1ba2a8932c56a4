import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg } from '../factories/factory.js';

describe('bad input: clear 4xx problem+json, nothing written', () => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '16384' });
    org = await t.factory.newOrg();
  });
  afterAll(() => t.close());

  const counts = async () => {
    const r = await t.superuser.query(
      `SELECT (SELECT count(*) FROM user_account WHERE org_id = $1)::int AS users,
              (SELECT count(*) FROM org_group WHERE org_id = $1)::int AS groups,
              (SELECT count(*) FROM audit_event WHERE org_id = $1)::int AS audit`,
      [org.id],
    );
    return r.rows[0];
  };


  it.each([
    ['wrong types', { email: 42, displayName: ['x'] }],
    ['unknown fields', { email: 'u1@x.test', displayName: 'U', isSuperuser: true }],
    ['an invalid role', { email: 'u2@x.test', displayName: 'U', role: 'root' }],
    ['SQL in the email', { email: "x@y.test'; DROP TABLE user_account; --", displayName: 'U' }],
    ['script in the handle', { email: 'u3@x.test', displayName: 'U', handle: '<script>alert(1)</script>' }],
    ['an over-long name', { email: 'u4@x.test', displayName: 'n'.repeat(101) }],
    ['a short password', { email: 'u5@x.test', displayName: 'U', password: 'short' }],
  ])('rejects %s with 400 validation_failed naming the field', async (_label, body) => {
    const before = await counts();
    const res = await api(t.http).post('/api/v1/users').set(bearer(org.admin)).send(body);
    expectProblem(res, 400, 'validation_failed');
    expect(Array.isArray(res.body.errors)).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('rejects a body over the size limit with 413', async () => {
    const before = await counts();
    const res = await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name: 'Big', description: 'x'.repeat(20_000) });
    expectProblem(res, 413, 'payload_too_large');
    expect(await counts()).toEqual(before);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).set('Content-Type', 'application/json').send('{"name": ');
    expectProblem(res, 400, 'malformed_json');
  });

  it('rejects non-object JSON bodies', async () => {
    const res = await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).set('Content-Type', 'application/json').send('"just a string"');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('treats SQL payloads in queries and ids as plain data', async () => {
    const list = await api(t.http).get('/api/v1/users').query({ q: "'; DELETE FROM user_account; --" }).set(bearer(org.admin)).expect(200);
    expect(list.body.items).toEqual([]);
    expectProblem(await api(t.http).get("/api/v1/users/1' OR '1'='1").set(bearer(org.admin)), 404, 'not_found');
    const users = await counts();
    expect(users.users).toBeGreaterThan(0);
  });

  it('stores script text in a display name verbatim (rendering is the client’s job) without error', async () => {
    const res = await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name: '<img src=x onerror=alert(1)>' }).expect(201);
    expect(res.body.name).toBe('<img src=x onerror=alert(1)>');
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('bounds list sizes and rejects forged cursors', async () => {
    expectProblem(await api(t.http).get('/api/v1/users?limit=1000').set(bearer(org.admin)), 400, 'validation_failed');
    expectProblem(await api(t.http).get('/api/v1/users?limit=-1').set(bearer(org.admin)), 400, 'validation_failed');
    expectProblem(await api(t.http).get('/api/v1/users?cursor=not-a-cursor').set(bearer(org.admin)), 400, 'invalid_cursor');
    expectProblem(await api(t.http).get('/api/v1/users?unknown=1').set(bearer(org.admin)), 400, 'validation_failed');
  });

  it('answers unknown routes and unauthenticated calls with problem+json', async () => {
    expectProblem(await api(t.http).get('/api/v1/nope').set(bearer(org.admin)), 404, 'route_not_found');
    expectProblem(await api(t.http).get('/api/v1/users'), 401, 'unauthenticated');
    expectProblem(await api(t.http).get('/api/v1/users').set('Authorization', 'Bearer chorus_not-a-real-token-at-all'), 401, 'unauthenticated');
  });

  it('rejects an invalid login body without touching the throttle or the audit log', async () => {
    const before = await counts();
    expectProblem(await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: org.admin.email }), 400, 'validation_failed');
    expect(await counts()).toEqual(before);
  });
});
