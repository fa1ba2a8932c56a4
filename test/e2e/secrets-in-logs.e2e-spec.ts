import { Writable } from 'node:stream';
import { createLogger } from '../../src/common/logger.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { PASSWORD } from '../factories/factory.js';

describe('secrets never reach the logs', () => {
  let t: TestApp;
  let logs = '';
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    t = await startTestApp({}, createLogger('trace', sink));
  });
  afterAll(() => t.close());

  it('logs requests with ids but redacts passwords, session cookies, CSRF and API tokens', async () => {
    const org = await t.factory.newOrg();
    const login = await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: org.admin.email, password: PASSWORD }).expect(200);
    const session = ([] as string[]).concat(login.headers['set-cookie'])[0].split(';')[0].split('=')[1];
    const csrf = login.body.csrfToken as string;
    await api(t.http).post('/api/v1/groups').set('Cookie', `chorus_session=${session}`).set('X-CSRF-Token', csrf).send({ name: 'Logged' }).expect(201);
    const token = await api(t.http).post('/api/v1/tokens').set('Authorization', `Bearer ${org.admin.token}`).send({ name: 'log-test' }).expect(201);
    await api(t.http).get('/api/v1/me').set('Authorization', `Bearer ${token.body.token as string}`).expect(200);
    await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: org.admin.email, password: 'wrong-secret-guess' }).expect(401);

    expect(logs).toContain('"url":"/api/v1/auth/login"');
    expect(logs).toContain('[redacted]');
    for (const secret of [PASSWORD, 'wrong-secret-guess', session, csrf, org.admin.token, token.body.token as string]) {
      expect(logs.includes(secret)).toBe(false);
    }
  });
});
