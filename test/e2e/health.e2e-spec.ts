import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer } from '../factories/factory.js';

describe('operations endpoints and HTTP conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('/healthz answers without dependencies; /readyz checks Postgres and Redis', async () => {
    expect((await api(t.http).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await api(t.http).get('/readyz').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { postgres: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('/metrics exposes Prometheus metrics including request durations', async () => {
    await api(t.http).get('/healthz');
    const res = await api(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('chorus_http_request_duration_seconds_bucket');
    expect(res.text).toContain('chorus_process_cpu_seconds_total');
  });

  it('serves the OpenAPI document with the v1 endpoints', async () => {
    const res = await api(t.http).get('/api/docs/openapi.json').expect(200);
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/me',
      '/api/v1/users/{id}',
      '/api/v1/groups/{id}/members/{userId}',
      '/api/v1/tokens',
      '/api/v1/audit',
      '/api/v1/compliance/retention/preview',
      '/api/v1/compliance/holds/{id}',
      '/api/v1/compliance/exports/{id}/download',
      '/api/v1/compliance/export-key',
      '/api/v1/admin/slack/installations',
      '/api/v1/admin/slack/links',
      '/api/v1/auth/sign-in-options',
      '/api/v1/users/{id}/follow',
      '/api/v1/admin/email',
      '/api/v1/groups/{id}/email-address',
      '/api/v1/groups/{id}/email-address/secret',
      '/api/v1/me/email-preferences',
      '/email/unsubscribe',
    ]) {
      expect(paths).toContain(p);
    }
    expect(res.body.components.schemas.Problem.required).toContain('code');
    expect(res.body.paths['/api/v1/groups'].post.responses['4XX'].content['application/problem+json']).toBeDefined();
    await api(t.http).get('/api/docs').expect(200);
  });

  it('echoes or assigns a request id and sets security headers', async () => {
    const given = await api(t.http).get('/healthz').set('X-Request-Id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const assigned = await api(t.http).get('/healthz').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(assigned.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(assigned.headers['x-content-type-options']).toBe('nosniff');
    expect(assigned.headers['content-security-policy']).toContain("default-src 'self'");
    expect(assigned.headers['x-powered-by']).toBeUndefined();
  });

  it('carries the request id into problem+json errors', async () => {
    const org = await t.factory.newOrg();
    const res = await api(t.http).get('/api/v1/groups/00000000-0000-4000-8000-000000000000').set(bearer(org.admin)).set('X-Request-Id', 'trace-42').expect(404);
    expect(res.body).toMatchObject({ code: 'not_found', requestId: 'trace-42', instance: '/api/v1/groups/00000000-0000-4000-8000-000000000000' });
  });
});

describe('readiness when Redis is down', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1/0' });
  });
  afterAll(() => t.close());

  it('/readyz is 503 naming redis, while /healthz stays 200', async () => {
    await api(t.http).get('/healthz').expect(200);
    const res = await api(t.http).get('/readyz').expect(503);
    expect(res.body).toMatchObject({ status: 'error', details: { postgres: { status: 'up' }, redis: { status: 'down' } } });
  });
});
