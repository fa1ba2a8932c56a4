import { randomBytes } from 'node:crypto';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from '../helpers/assertions.js';
import { signInAt, startOidcProvider, type TestAccountClaims, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { makeIdpKeys } from '../helpers/saml-idp.js';
import { bearer, PASSWORD, type TestOrg } from '../factories/factory.js';

const PUBLIC_URL = 'http://chorus.test';

interface Started {
  location: URL;
  stateCookie: string;
}

describe('OIDC single sign-on', () => {
  let t: TestApp;
  let op: TestOidcProvider;

  beforeAll(async () => {
    op = await startOidcProvider(PUBLIC_URL);
    t = await startTestApp({ PUBLIC_URL, SECRETS_KEY: randomBytes(32).toString('base64') });
  });
  afterAll(async () => {
    await t.close();
    await op.close();
  });

  const baseConfig = () => ({
    enabled: true,
    issuerUrl: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    claimMapping: { title: 'title', department: 'department' },
    jit: true,
    defaultRole: 'member',
  });

  async function oidcOrg(overrides: Record<string, unknown> = {}): Promise<TestOrg> {
    const org = await t.factory.newOrg();
    await api(t.http).put('/api/v1/admin/sso/oidc').set(bearer(org.admin)).send({ ...baseConfig(), ...overrides }).expect(200);
    return org;
  }

  let accountSeq = 0;
  function account(claims: TestAccountClaims): string {
    const id = `acct-${Date.now()}-${accountSeq++}`;
    op.accounts.set(id, claims);
    return id;
  }

  async function start(org: TestOrg, returnTo?: string): Promise<Started> {
    const res = await api(t.http).get(`/auth/oidc/${org.slug}/login`).query(returnTo ? { returnTo } : {}).expect(302);
    const cookie = ([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('chorus_oidc_state='));
    expect(cookie).toMatch(/HttpOnly/i);
    return { location: new URL(res.headers.location), stateCookie: cookie!.split(';')[0] };
  }

  const callbackPrefix = (org: TestOrg) => `${PUBLIC_URL}/auth/oidc/${org.slug}/callback`;

  const callback = (callbackUrl: URL, stateCookie: string | null) => {
    const req = api(t.http).get(`${callbackUrl.pathname}${callbackUrl.search}`);
    return stateCookie ? req.set('Cookie', stateCookie) : req;
  };

  async function login(org: TestOrg, accountId: string, returnTo?: string) {
    const s = await start(org, returnTo);
    const back = await signInAt(s.location.href, accountId, callbackPrefix(org));
    return callback(back, s.stateCookie);
  }

  const sessionCookie = (res: { headers: Record<string, unknown> }) =>
    ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('chorus_session='))?.split(';')[0];

  async function failureReasons(org: TestOrg): Promise<Array<{ protocol: string; reason: string }>> {
    const audit = await api(t.http).get('/api/v1/audit?action=auth.sso_login_failed').set(bearer(org.admin)).expect(200);
    return audit.body.items.map((e: { data: { protocol: string; reason: string } }) => ({ protocol: e.data.protocol, reason: e.data.reason }));
  }

  async function expectRefused(org: TestOrg, res: Parameters<typeof expectProblem>[0], status: number, code: string) {
    expectProblem(res, status, code);
    expect(sessionCookie(res as never)).toBeUndefined();
    expect(await failureReasons(org)).toContainEqual({ protocol: 'oidc', reason: code });
  }

  describe('sign-in', () => {
    it('signs an existing user in with code + PKCE: session cookies that work on /api/v1/me, audited', async () => {
      const org = await oidcOrg();
      const user = await t.factory.newUser(org);
      const s = await start(org);
      expect(s.location.origin).toBe(op.issuer);
      expect(s.location.searchParams.get('code_challenge_method')).toBe('S256');
      expect(s.location.searchParams.get('nonce')).toBeTruthy();
      expect(s.location.searchParams.get('redirect_uri')).toBe(callbackPrefix(org));

      const back = await signInAt(s.location.href, account({ email: user.email, email_verified: true, name: 'Renamed By IdP' }), callbackPrefix(org));
      const res = await callback(back, s.stateCookie);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
      const me = await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(res)!).expect(200);
      expect(me.body).toMatchObject({ user: { id: user.id, email: user.email, displayName: 'Renamed By IdP' }, authMethod: 'session' });
      const audit = await api(t.http).get('/api/v1/audit?action=auth.sso_login').set(bearer(org.admin)).expect(200);
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0]).toMatchObject({ actor: { id: user.id }, data: { method: 'oidc' } });
    });

    it('creates the user just in time from the claims, then updates them at the next sign-in', async () => {
      const org = await oidcOrg({ defaultRole: 'compliance' });
      const email = `jit-${Date.now()}@${org.slug}.test`;
      const id = account({ email, email_verified: true, name: 'Jit Person', preferred_username: `jit${accountSeq}`, title: 'Engineer', department: 'R&D' });
      const first = await login(org, id);
      expect(first.status).toBe(303);
      const me = await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(first)!).expect(200);
      expect(me.body.user).toMatchObject({ email, displayName: 'Jit Person', title: 'Engineer', department: 'R&D', role: 'compliance' });

      op.accounts.set(id, { ...op.accounts.get(id)!, title: 'Staff Engineer', department: 'Platform' });
      expect((await login(org, id)).status).toBe(303);
      const after = await api(t.http).get(`/api/v1/users/${me.body.user.id}`).set(bearer(org.admin)).expect(200);
      expect(after.body).toMatchObject({ id: me.body.user.id, title: 'Staff Engineer', department: 'Platform' });
    });

    it('keeps linked groups in step with the groups claim, touching no other group', async () => {
      const org = await oidcOrg({ claimMapping: { title: 'title', department: 'department', groups: 'groups' } });
      const mk = async (name: string) =>
        (await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name, visibility: 'private' }).expect(201)).body.id as string;
      const [eng, ops, unlinked] = [await mk('Eng'), await mk('Ops'), await mk('Unlinked')];
      await api(t.http)
        .put('/api/v1/admin/sso/group-links')
        .set(bearer(org.admin))
        .send({ links: [{ groupId: eng, idpGroup: 'idp-eng' }, { groupId: ops, idpGroup: 'idp-ops' }] })
        .expect(200);
      const email = `groups-${Date.now()}@${org.slug}.test`;
      const id = account({ email, email_verified: true, name: 'Grouped', groups: ['idp-eng', 'idp-unknown'] });
      const first = await login(org, id);
      expect(first.status).toBe(303);
      const me = (await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(first)!).expect(200)).body.user.id as string;
      const memberOf = async () =>
        (await t.superuser.query('SELECT group_id FROM group_membership WHERE org_id = $1 AND user_id = $2', [org.id, me])).rows
          .map((r: { group_id: string }) => r.group_id)
          .sort();
      expect(await memberOf()).toEqual([eng]);
      await api(t.http).post(`/api/v1/groups/${unlinked}/members`).set(bearer(org.admin)).send({ userId: me }).expect(200);

      op.accounts.set(id, { ...op.accounts.get(id)!, groups: ['idp-ops'] });
      expect((await login(org, id)).status).toBe(303);
      expect(await memberOf()).toEqual([ops, unlinked].sort());
    });

    it('keeps the user linked by subject when the email changes at the provider', async () => {
      const org = await oidcOrg();
      const id = account({ email: `first-${Date.now()}@${org.slug}.test`, name: 'Mover' });
      const first = await login(org, id);
      const me = await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(first)!).expect(200);
      const newEmail = `second-${Date.now()}@${org.slug}.test`;
      op.accounts.set(id, { email: newEmail, name: 'Mover' });
      const second = await login(org, id);
      const again = await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(second)!).expect(200);
      expect(again.body.user).toMatchObject({ id: me.body.user.id, email: newEmail });
    });

    it('follows returnTo only to a path on this site', async () => {
      const org = await oidcOrg();
      const id = account({ email: `rt-${Date.now()}@${org.slug}.test` });
      expect((await login(org, id, '/streams/home')).headers.location).toBe('/streams/home');
      for (const evil of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
        expect((await login(org, id, evil)).headers.location).toBe('/');
      }
    });

    it('refuses an unknown user when JIT is off (403 oidc_user_unknown)', async () => {
      const org = await oidcOrg({ jit: false });
      await expectRefused(org, await login(org, account({ email: `nobody-${Date.now()}@${org.slug}.test` })), 403, 'oidc_user_unknown');
    });

    it('refuses a deactivated user', async () => {
      const org = await oidcOrg();
      const user = await t.factory.newUser(org);
      await api(t.http).patch(`/api/v1/users/${user.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);
      await expectRefused(org, await login(org, account({ email: user.email })), 401, 'oidc_user_deactivated');
    });

    it('refuses an email the provider marks unverified', async () => {
      const org = await oidcOrg();
      const user = await t.factory.newUser(org);
      await expectRefused(org, await login(org, account({ email: user.email, email_verified: false })), 401, 'oidc_email_unverified');
    });

    it('answers oidc_not_configured for an org without (enabled) OIDC', async () => {
      const org = await t.factory.newOrg();
      expectProblem(await api(t.http).get(`/auth/oidc/${org.slug}/login`), 401, 'oidc_not_configured');
      const disabled = await oidcOrg({ enabled: false });
      expectProblem(await api(t.http).get(`/auth/oidc/${disabled.slug}/login`), 401, 'oidc_not_configured');
    });
  });

  describe('state, code and token checks', () => {
    it('refuses a callback whose state is not the one this browser started', async () => {
      const org = await oidcOrg();
      const id = account({ email: `st-${Date.now()}@${org.slug}.test` });
      const mine = await start(org);
      const back = await signInAt(mine.location.href, id, callbackPrefix(org));
      const someoneElses = await start(org);
      await expectRefused(org, await callback(back, someoneElses.stateCookie), 401, 'oidc_state_invalid');
      await expectRefused(org, await callback(back, null), 401, 'oidc_state_invalid');
      // The mismatches did not use up the real state: the right browser still completes.
      expect((await callback(back, mine.stateCookie)).status).toBe(303);
    });

    it('refuses a replayed callback (state used once)', async () => {
      const org = await oidcOrg();
      const s = await start(org);
      const back = await signInAt(s.location.href, account({ email: `rp-${Date.now()}@${org.slug}.test` }), callbackPrefix(org));
      expect((await callback(back, s.stateCookie)).status).toBe(303);
      await expectRefused(org, await callback(back, s.stateCookie), 401, 'oidc_state_invalid');
    });

    it('refuses a state we never issued', async () => {
      const org = await oidcOrg();
      const url = new URL(`${callbackPrefix(org)}?code=abc&state=forged`);
      await expectRefused(org, await callback(url, 'chorus_oidc_state=forged'), 401, 'oidc_state_invalid');
    });

    it('refuses a missing or invalid code', async () => {
      const org = await oidcOrg();
      const missing = await start(org);
      const state = missing.location.searchParams.get('state')!;
      await expectRefused(org, await callback(new URL(`${callbackPrefix(org)}?state=${state}&iss=${encodeURIComponent(op.issuer)}`), missing.stateCookie), 401, 'oidc_token_invalid');

      const invalid = await start(org);
      const back = await signInAt(invalid.location.href, account({ email: `code-${Date.now()}@${org.slug}.test` }), callbackPrefix(org));
      back.searchParams.set('code', 'not-a-code-the-provider-issued');
      await expectRefused(org, await callback(back, invalid.stateCookie), 401, 'oidc_token_invalid');
    });

    it('reports an error the provider redirects back with', async () => {
      const org = await oidcOrg();
      const s = await start(org);
      const state = s.location.searchParams.get('state')!;
      const url = new URL(`${callbackPrefix(org)}?error=access_denied&error_description=nope&state=${state}`);
      await expectRefused(org, await callback(url, s.stateCookie), 401, 'oidc_provider_error');
    });

    it('refuses a code issued to another client (audience)', async () => {
      const org = await oidcOrg();
      const s = await start(org);
      const forOther = new URL(s.location);
      forOther.searchParams.set('client_id', op.otherClientId);
      const back = await signInAt(forOther.href, account({ email: `aud-${Date.now()}@${org.slug}.test` }), callbackPrefix(org));
      await expectRefused(org, await callback(back, s.stateCookie), 401, 'oidc_token_invalid');
    });

    it('refuses an ID token whose nonce is not the one we sent', async () => {
      const org = await oidcOrg();
      const s = await start(org);
      const tampered = new URL(s.location);
      tampered.searchParams.set('nonce', 'a-nonce-we-did-not-send');
      const back = await signInAt(tampered.href, account({ email: `nonce-${Date.now()}@${org.slug}.test` }), callbackPrefix(org));
      const res = await callback(back, s.stateCookie);
      await expectRefused(org, res, 401, 'oidc_token_invalid');
      expect(res.body.detail).toMatch(/nonce/i);
    });

    it('refuses to use a provider whose discovered issuer differs from the configured one', async () => {
      const org = await oidcOrg({ issuerUrl: op.issuer.replace('127.0.0.1', 'localhost') });
      expectProblem(await api(t.http).get(`/auth/oidc/${org.slug}/login`), 401, 'oidc_provider_error');
    });

    it('refuses a wrong client id at the provider: no code ever comes back', async () => {
      const org = await oidcOrg({ clientId: 'not-registered' });
      const s = await start(org);
      await expect(signInAt(s.location.href, account({ email: `cid-${Date.now()}@x.test` }), callbackPrefix(org))).rejects.toThrow(/400/);
    });
  });

  describe('SSO required (SAML setting)', () => {
    it('still lets users in through OIDC, while local passwords answer sso_required', async () => {
      const org = await oidcOrg();
      const user = await t.factory.newUser(org);
      // Requiring SSO needs an admin who can still get in with a password.
      await t.superuser.query(`UPDATE user_account SET break_glass = true WHERE org_id = $1 AND id = $2`, [org.id, org.admin.id]);
      await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({
        enabled: true, idpEntityId: 'https://idp.example/entity', idpSsoUrl: 'https://idp.example/sso', idpCerts: [makeIdpKeys().certPem],
        jit: false, ssoRequired: true, allowIdpInitiated: false,
      }).expect(200);
      expectProblem(await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: user.email, password: PASSWORD }), 403, 'sso_required');
      const res = await login(org, account({ email: user.email }));
      expect(res.status).toBe(303);
      await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(res)!).expect(200);
    });
  });

  describe('admin API', () => {
    it('is for admins only', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      await api(t.http).get('/api/v1/admin/sso/oidc').set(bearer(member)).expect(403);
      await api(t.http).put('/api/v1/admin/sso/oidc').set(bearer(member)).send(baseConfig()).expect(403);
    });

    it('never returns the client secret, keeps it when omitted, stores it encrypted, audits without it', async () => {
      const org = await oidcOrg();
      const view = await api(t.http).get('/api/v1/admin/sso/oidc').set(bearer(org.admin)).expect(200);
      expect(view.body).toMatchObject({
        configured: true,
        config: { issuerUrl: op.issuer, clientId: op.clientId, clientSecretSet: true, scopes: ['openid', 'email', 'profile'], jit: true },
        relyingParty: { redirectUri: callbackPrefix(org), loginUrl: `${PUBLIC_URL}/auth/oidc/${org.slug}/login` },
      });
      expect(JSON.stringify(view.body)).not.toContain(op.clientSecret);

      const { clientSecret: _omit, ...withoutSecret } = baseConfig();
      const kept = await api(t.http).put('/api/v1/admin/sso/oidc').set(bearer(org.admin)).send({ ...withoutSecret, jit: false }).expect(200);
      expect(kept.body.config).toMatchObject({ clientSecretSet: true, jit: false });
      expect(JSON.stringify(kept.body)).not.toContain(op.clientSecret);

      const row = await t.superuser.query<{ sealed: string }>('SELECT client_secret_sealed AS sealed FROM oidc_config WHERE org_id = $1', [org.id]);
      expect(row.rows[0].sealed).toMatch(/^v1\./);
      expect(row.rows[0].sealed).not.toContain(op.clientSecret);
      expect(row.rows[0].sealed).not.toContain(Buffer.from(op.clientSecret).toString('base64').slice(0, 20));

      const audit = await api(t.http).get('/api/v1/audit?action=sso.oidc_config_updated').set(bearer(org.admin)).expect(200);
      expect(audit.body.items).toHaveLength(2);
      expect(audit.body.items.map((e: { data: { clientSecretChanged: boolean } }) => e.data.clientSecretChanged).sort()).toEqual([false, true]);
      expect(JSON.stringify(audit.body)).not.toContain(op.clientSecret);
      expect(JSON.stringify(audit.body)).not.toContain(row.rows[0].sealed);

      // Signing in still works with the kept (decrypted) secret.
      const user = await t.factory.newUser(org);
      expect((await login(org, account({ email: user.email }))).status).toBe(303);
    });

    it('refuses to store a client secret when SECRETS_KEY is not set, saying so', async () => {
      const keyless = await startTestApp({ PUBLIC_URL });
      try {
        const org = await keyless.factory.newOrg();
        const res = await api(keyless.http).put('/api/v1/admin/sso/oidc').set(bearer(org.admin)).send(baseConfig());
        expectProblem(res, 500, 'secrets_key_missing');
        expect(res.body.detail).toMatch(/SECRETS_KEY is not set/);
        const { clientSecret: _none, ...publicClient } = baseConfig();
        await api(keyless.http).put('/api/v1/admin/sso/oidc').set(bearer(org.admin)).send(publicClient).expect(200);
      } finally {
        await keyless.close();
      }
    });

    it('refuses scopes without openid', async () => {
      const org = await t.factory.newOrg();
      expectProblem(await api(t.http).put('/api/v1/admin/sso/oidc').set(bearer(org.admin)).send({ ...baseConfig(), scopes: ['email'] }), 400, 'oidc_scopes_invalid');
    });
  });
});
