import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bearer } from '../factories/factory.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';

/** The server serves the built web app (dist/web, made by `npm run build`) at `/` next to the API. */
describe('web app serving', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers page addresses with index.html, not cached, under the Content-Security-Policy', async () => {
    for (const path of ['/', '/groups/123', '/posts/abc?x=1', '/compliance/exports']) {
      const res = await api(t.http).get(path).set('Accept', 'text/html').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.text).toContain('<div id="root"></div>');
      expect(res.text).not.toMatch(/<script>(?!<\/script>)/);
    }
  });

  it('serves hashed assets for a year, and a missing asset is a 404', async () => {
    const files = await readdir(join('dist', 'web', 'assets'));
    const js = files.find((f) => f.endsWith('.js'))!;
    const res = await api(t.http).get(`/assets/${js}`).expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    await api(t.http).get('/assets/nope.js').expect(404);
  });

  it('leaves the API, SSO, SCIM, bridges and health endpoints to the server', async () => {
    const missing = await api(t.http).get('/api/v1/nope').set('Accept', 'text/html').expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    await api(t.http).get('/healthz').set('Accept', 'text/html').expect(200);
    const scim = await api(t.http).get('/scim/v2/Users').set('Accept', 'text/html');
    expect(scim.status).toBe(401);
    // Non-GET requests are never the web app's.
    const org = await t.factory.newOrg();
    await api(t.http).post('/groups').set(bearer(org.admin)).send({}).expect(404);
  });

  it('tells the sign-in page which methods an org offers', async () => {
    const org = await t.factory.newOrg();
    const none = await api(t.http).get(`/api/v1/auth/sign-in-options?org=${org.slug}`).expect(200);
    expect(none.body).toEqual({ org: { slug: org.slug, name: `Org ${org.slug}` }, saml: null, oidc: null, passwordForEveryone: true });
    const unknown = await api(t.http).get('/api/v1/auth/sign-in-options?org=no-such-org-xyz').expect(200);
    expect(unknown.body).toEqual({ org: null, saml: null, oidc: null, passwordForEveryone: true });
    await t.superuser.query(`INSERT INTO oidc_config (org_id, enabled, issuer_url, client_id) VALUES ($1, true, 'https://idp.example.test', 'chorus')`, [org.id]);
    const oidc = await api(t.http).get(`/api/v1/auth/sign-in-options?org=${org.slug}`).expect(200);
    expect(oidc.body.oidc).toEqual({ loginUrl: `/auth/oidc/${org.slug}/login` });
  });
});
