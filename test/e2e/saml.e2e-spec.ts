import { DOMParser } from '@xmldom/xmldom';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from '../helpers/assertions.js';
import { authnRequestId, b64, buildResponse, idpMetadata, makeIdpKeys, sign, type AssertionOptions, type IdpKeys } from '../helpers/saml-idp.js';
import { bearer, PASSWORD, type TestOrg } from '../factories/factory.js';

const PUBLIC_URL = 'http://chorus.test';
const IDP_ENTITY = 'https://idp.example/entity';
const IDP_SSO = 'https://idp.example/sso';

interface SamlOrg extends TestOrg {
  acsPath: string;
  acsUrl: string;
  spEntityId: string;
}

describe('SAML 2.0 single sign-on', () => {
  let t: TestApp;
  let idp: IdpKeys;
  let otherIdp: IdpKeys;

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL });
    idp = makeIdpKeys();
    otherIdp = makeIdpKeys('someone-else');
  });
  afterAll(() => t.close());

  const baseConfig = () => ({
    enabled: true,
    idpEntityId: IDP_ENTITY,
    idpSsoUrl: IDP_SSO,
    idpCerts: [idp.certPem],
    attributeMapping: { email: 'email', displayName: 'displayName', handle: 'handle', title: 'title', department: 'department' },
    jit: true,
    defaultRole: 'member',
    ssoRequired: false,
    allowIdpInitiated: false,
  });

  async function samlOrg(overrides: Record<string, unknown> = {}): Promise<SamlOrg> {
    const org = await t.factory.newOrg();
    await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), ...overrides }).expect(200);
    const acsPath = `/auth/saml/${org.slug}/acs`;
    return { ...org, acsPath, acsUrl: `${PUBLIC_URL}${acsPath}`, spEntityId: `${PUBLIC_URL}/auth/saml/${org.slug}/metadata` };
  }

  /** SP-initiated: our login endpoint issues the AuthnRequest whose id the response must answer. */
  async function startLogin(org: SamlOrg, relayState?: string): Promise<{ requestId: string; location: string }> {
    const res = await api(t.http).get(`/auth/saml/${org.slug}/login`).query(relayState ? { RelayState: relayState } : {}).expect(302);
    return { requestId: authnRequestId(res.headers.location), location: res.headers.location };
  }

  const responseFor = (org: SamlOrg, o: Partial<AssertionOptions> & { nameId: string }) =>
    buildResponse({ issuer: IDP_ENTITY, audience: org.spEntityId, acsUrl: org.acsUrl, ...o });

  const post = (org: Pick<SamlOrg, 'acsPath'>, xml: string, relayState?: string) =>
    api(t.http)
      .post(org.acsPath)
      .type('form')
      .send({ SAMLResponse: b64(xml), ...(relayState !== undefined ? { RelayState: relayState } : {}) });

  async function signedLogin(org: SamlOrg, nameId: string, attributes: Record<string, string> = {}, what: 'assertion' | 'response' = 'assertion') {
    const { requestId } = await startLogin(org);
    return post(org, sign(responseFor(org, { nameId, inResponseTo: requestId, attributes: { email: nameId, ...attributes } }), idp, what));
  }

  const sessionCookie = (res: { headers: Record<string, unknown> }) =>
    ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('chorus_session='))?.split(';')[0];

  async function failureReasons(org: TestOrg): Promise<string[]> {
    const audit = await api(t.http).get('/api/v1/audit?action=auth.sso_login_failed').set(bearer(org.admin)).expect(200);
    return audit.body.items.map((e: { data: { reason: string } }) => e.data.reason);
  }

  async function expectRefused(org: SamlOrg, res: Awaited<ReturnType<typeof post>>, status: number, code: string) {
    expectProblem(res, status, code);
    expect(sessionCookie(res)).toBeUndefined();
    expect(await failureReasons(org)).toContain(code);
  }

  describe('sign-in', () => {
    it('signs in SP-initiated with a signed assertion: same session and cookies as a password login', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const res = await signedLogin(org, user.email);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
      const cookies = ([] as string[]).concat(res.headers['set-cookie']);
      expect(cookies.find((c) => c.startsWith('chorus_session='))).toMatch(/HttpOnly/i);
      expect(cookies.find((c) => c.startsWith('chorus_csrf='))).toBeDefined();
      const me = await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(res)!).expect(200);
      expect(me.body).toMatchObject({ user: { id: user.id, email: user.email }, authMethod: 'session' });
      const audit = await api(t.http).get('/api/v1/audit?action=auth.sso_login').set(bearer(org.admin)).expect(200);
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0]).toMatchObject({ actor: { id: user.id }, data: { method: 'saml' } });
    });

    it('accepts a signed Response (unsigned assertion) too', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const res = await signedLogin(org, user.email, {}, 'response');
      expect(res.status).toBe(303);
      await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(res)!).expect(200);
    });

    it('accepts any of several configured certificates (rotation)', async () => {
      const org = await samlOrg({ idpCerts: [otherIdp.certPem, idp.certPem] });
      const user = await t.factory.newUser(org);
      expect((await signedLogin(org, user.email)).status).toBe(303);
    });

    it('creates the user just in time with mapped attributes, then updates them on the next sign-in', async () => {
      const org = await samlOrg({ defaultRole: 'compliance' });
      const email = `jit-${Date.now()}@${org.slug}.test`;
      const first = await signedLogin(org, email, { displayName: 'Jit Person', handle: 'jitperson', title: 'Engineer', department: 'R&amp;D' });
      expect(first.status).toBe(303);
      const me = await api(t.http).get('/api/v1/me').set('Cookie', sessionCookie(first)!).expect(200);
      expect(me.body.user).toMatchObject({ email, displayName: 'Jit Person', handle: 'jitperson', title: 'Engineer', department: 'R&D', role: 'compliance' });

      const second = await signedLogin(org, email, { displayName: 'Jit Person', handle: 'jitperson', title: 'Staff Engineer', department: 'Platform' });
      expect(second.status).toBe(303);
      const after = await api(t.http).get(`/api/v1/users/${me.body.user.id}`).set(bearer(org.admin)).expect(200);
      expect(after.body).toMatchObject({ title: 'Staff Engineer', department: 'Platform' });
      const audit = await api(t.http).get(`/api/v1/audit?targetId=${me.body.user.id}`).set(bearer(org.admin)).expect(200);
      expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['user.created', 'user.updated']));
    });

    it('refuses an unknown user when JIT is off (403 saml_user_unknown)', async () => {
      const org = await samlOrg({ jit: false });
      await expectRefused(org, await signedLogin(org, `nobody@${org.slug}.test`), 403, 'saml_user_unknown');
    });

    it('refuses a deactivated user', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      await api(t.http).patch(`/api/v1/users/${user.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);
      await expectRefused(org, await signedLogin(org, user.email), 401, 'saml_user_deactivated');
    });

    it('follows RelayState only to a path on this site', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      for (const [relay, expected] of [
        ['/streams/home?tab=1', '/streams/home?tab=1'],
        ['//evil.example', '/'],
        ['https://evil.example', '/'],
        ['/\\evil.example', '/'],
      ]) {
        const { requestId } = await startLogin(org);
        const xml = sign(responseFor(org, { nameId: user.email, inResponseTo: requestId }), idp, 'assertion');
        const res = await post(org, xml, relay);
        expect({ relay, status: res.status, location: res.headers.location }).toEqual({ relay, status: 303, location: expected });
      }
    });

    it('keeps a safe RelayState on the AuthnRequest redirect and drops an off-site one', async () => {
      const org = await samlOrg();
      const safe = new URL((await startLogin(org, '/groups')).location);
      expect(`${safe.origin}${safe.pathname}`).toBe(IDP_SSO);
      expect(safe.searchParams.get('RelayState')).toBe('/groups');
      const evil = new URL((await startLogin(org, '//evil.example')).location);
      expect(evil.searchParams.get('RelayState')).toBeNull();
    });

    it('answers saml_not_configured for an org without SAML, and for a disabled config', async () => {
      const org = await t.factory.newOrg();
      expectProblem(await api(t.http).get(`/auth/saml/${org.slug}/login`), 401, 'saml_not_configured');
      const disabled = await samlOrg({ enabled: false });
      const res = await post(disabled, sign(responseFor(disabled, { nameId: disabled.admin.email }), idp, 'assertion'));
      await expectRefused(disabled, res, 401, 'saml_not_configured');
    });
  });

  describe('refuses', () => {
    let org: SamlOrg;
    let email: string;
    beforeAll(async () => {
      org = await samlOrg();
      email = (await t.factory.newUser(org)).email;
    });

    const fresh = async (o: Partial<AssertionOptions> = {}) => responseFor(org, { nameId: email, inResponseTo: (await startLogin(org)).requestId, ...o });

    it('an unsigned response', async () => {
      await expectRefused(org, await post(org, await fresh()), 401, 'saml_signature_invalid');
    });

    it('a response signed by a key that is not configured', async () => {
      await expectRefused(org, await post(org, sign(await fresh(), otherIdp, 'assertion')), 401, 'saml_signature_invalid');
      await expectRefused(org, await post(org, sign(await fresh(), otherIdp, 'response')), 401, 'saml_signature_invalid');
    });

    it('a signed assertion tampered with after signing', async () => {
      const signed = sign(await fresh(), idp, 'assertion');
      const tampered = signed.replace(`>${email}</saml:NameID>`, `>${org.admin.email}</saml:NameID>`);
      expect(tampered).not.toBe(signed);
      await expectRefused(org, await post(org, tampered), 401, 'saml_signature_invalid');
    });

    it('a signed response tampered with after signing', async () => {
      const signed = sign(await fresh(), idp, 'response');
      await expectRefused(org, await post(org, signed.replace(`>${email}</saml:NameID>`, `>${org.admin.email}</saml:NameID>`)), 401, 'saml_signature_invalid');
    });

    describe('signature wrapping (XSW)', () => {
      const evilAssertion = (xml: string, id: string) =>
        /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0]
          .replace(/ ID="[^"]+"/, ` ID="${id}"`)
          .replace(/<(?:ds:)?Signature[\s\S]*<\/(?:ds:)?Signature>/, '')
          .replace(`>${email}</saml:NameID>`, `>${org.admin.email}</saml:NameID>`);

      it('an evil assertion wrapping the signed one', async () => {
        const signed = sign(await fresh(), idp, 'assertion');
        const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
        const evil = evilAssertion(signed, '_evil').replace('</saml:Assertion>', `${original}</saml:Assertion>`);
        await expectRefused(org, await post(org, signed.replace(original, evil)), 401, 'saml_signature_invalid');
      });

      it('an evil assertion beside the signed one', async () => {
        const signed = sign(await fresh(), idp, 'assertion');
        const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
        await expectRefused(org, await post(org, signed.replace(original, `${evilAssertion(signed, '_evil')}${original}`)), 401, 'saml_signature_invalid');
      });

      it('an evil assertion taking the signed one\'s ID and signature, the original hidden in Extensions', async () => {
        const signed = sign(await fresh(), idp, 'assertion');
        const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
        const id = / ID="([^"]+)"/.exec(original)![1];
        const signature = /<(?:ds:)?Signature[\s\S]*<\/(?:ds:)?Signature>/.exec(original)![0];
        const evil = evilAssertion(signed, id).replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
        const wrapped = signed.replace(original, evil).replace('<samlp:Status>', `<samlp:Extensions>${original}</samlp:Extensions><samlp:Status>`);
        await expectRefused(org, await post(org, wrapped), 401, 'saml_signature_invalid');
      });

      it('a signed response nested inside an evil response', async () => {
        const signed = sign(await fresh(), idp, 'response');
        const evil = signed
          .replace(/<(?:ds:)?Signature[\s\S]*<\/(?:ds:)?Signature>/, '')
          .replace(/^<samlp:Response ([^>]*) ID="[^"]+"/, '<samlp:Response $1 ID="_evilresponse"')
          .replace(`>${email}</saml:NameID>`, `>${org.admin.email}</saml:NameID>`)
          .replace('<samlp:Status>', `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
        await expectRefused(org, await post(org, evil), 401, 'saml_signature_invalid');
      });
    });

    it('a wrong audience', async () => {
      await expectRefused(org, await post(org, sign(await fresh({ audience: 'https://other-sp.example' }), idp, 'assertion')), 401, 'saml_audience_mismatch');
    });

    it('a wrong Destination', async () => {
      await expectRefused(org, await post(org, sign(await fresh({ destination: 'https://evil.example/acs' }), idp, 'response')), 401, 'saml_destination_mismatch');
    });

    it('a wrong Recipient', async () => {
      await expectRefused(org, await post(org, sign(await fresh({ recipient: 'https://evil.example/acs' }), idp, 'assertion')), 401, 'saml_destination_mismatch');
    });

    it('an expired assertion (beyond the clock skew)', async () => {
      const past = new Date(Date.now() - 10 * 60_000);
      const xml = await fresh({ notBefore: new Date(past.getTime() - 60_000), notOnOrAfter: past });
      await expectRefused(org, await post(org, sign(xml, idp, 'assertion')), 401, 'saml_expired');
    });

    it('an assertion not yet valid (beyond the clock skew)', async () => {
      const xml = await fresh({ notBefore: new Date(Date.now() + 10 * 60_000), notOnOrAfter: new Date(Date.now() + 20 * 60_000) });
      await expectRefused(org, await post(org, sign(xml, idp, 'assertion')), 401, 'saml_not_yet_valid');
    });

    it('a response to a request we never issued', async () => {
      await expectRefused(org, await post(org, sign(await fresh({ inResponseTo: '_never-issued' }), idp, 'assertion')), 401, 'saml_unknown_request');
    });

    it('a second response to the same request', async () => {
      const { requestId } = await startLogin(org);
      expect((await post(org, sign(responseFor(org, { nameId: email, inResponseTo: requestId }), idp, 'assertion'))).status).toBe(303);
      await expectRefused(org, await post(org, sign(responseFor(org, { nameId: email, inResponseTo: requestId }), idp, 'assertion')), 401, 'saml_unknown_request');
    });

    it('an IdP-initiated response when the org does not allow them', async () => {
      await expectRefused(org, await post(org, sign(responseFor(org, { nameId: email }), idp, 'assertion')), 401, 'saml_idp_initiated_not_allowed');
    });
  });

  describe('IdP-initiated and cross-org', () => {
    it('accepts IdP-initiated responses when allowed, each assertion only once', async () => {
      const org = await samlOrg({ allowIdpInitiated: true });
      const user = await t.factory.newUser(org);
      const xml = sign(responseFor(org, { nameId: user.email }), idp, 'assertion');
      expect((await post(org, xml)).status).toBe(303);
      await expectRefused(org, await post(org, xml), 401, 'saml_replay');
    });

    it("will not let org A's response sign in at org B, even with the same IdP", async () => {
      const a = await samlOrg({ allowIdpInitiated: true });
      const b = await samlOrg({ allowIdpInitiated: true });
      const email = `shared-${Date.now()}@example.test`;
      await t.factory.newUser(a, { email });
      await t.factory.newUser(b, { email });
      const forA = sign(responseFor(a, { nameId: email }), idp, 'assertion');
      await expectRefused(b, await post(b, forA), 401, 'saml_audience_mismatch');

      const { requestId } = await startLogin(a);
      const answeringA = sign(responseFor(a, { nameId: email, inResponseTo: requestId }), idp, 'assertion');
      await expectRefused(b, await post(b, answeringA), 401, 'saml_unknown_request');
    });
  });

  describe('SSO required', () => {
    it('refuses local passwords except for break-glass users', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      // An org must keep a break-glass admin before it may require SSO.
      await t.superuser.query(`UPDATE user_account SET break_glass = true WHERE org_id = $1 AND id = $2`, [org.id, org.admin.id]);
      await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), ssoRequired: true }).expect(200);
      const refused = await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: user.email, password: PASSWORD });
      expectProblem(refused, 403, 'sso_required');
      await t.factory.login(org.admin);
      expect((await signedLogin(org, user.email)).status).toBe(303);
    });
  });

  describe('SP metadata', () => {
    it('describes our entity id and ACS for the org', async () => {
      const org = await samlOrg();
      const res = await api(t.http).get(`/auth/saml/${org.slug}/metadata`).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/samlmetadata\+xml/);
      const doc = new DOMParser().parseFromString(res.text, 'application/xml');
      const entity = doc.documentElement!;
      expect(entity.localName).toBe('EntityDescriptor');
      expect(entity.getAttribute('entityID')).toBe(org.spEntityId);
      const acs = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'AssertionConsumerService')[0];
      expect(acs.getAttribute('Location')).toBe(org.acsUrl);
      expect(acs.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    });

    it('is 401 saml_not_configured for an unknown org', async () => {
      expectProblem(await api(t.http).get('/auth/saml/no-such-org/metadata'), 401, 'saml_not_configured');
    });
  });

  describe('admin API', () => {
    it('is for admins only', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      expectProblem(await api(t.http).get('/api/v1/admin/sso/saml').set(bearer(member)), 403, 'forbidden');
      expectProblem(await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(member)).send(baseConfig()), 403, 'forbidden');
      expectProblem(await api(t.http).get('/api/v1/admin/sso/saml'), 401, 'unauthenticated');
    });

    it('validates the configuration', async () => {
      const org = await t.factory.newOrg();
      const put = (body: Record<string, unknown>) => api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send(body);
      const invalid = [
        { ...baseConfig(), idpSsoUrl: 'javascript:alert(1)' },
        { ...baseConfig(), idpCerts: [] },
        { ...baseConfig(), defaultRole: 'owner' },
        { ...baseConfig(), jit: 'yes' },
        { ...baseConfig(), unknownField: true },
        { ...baseConfig(), attributeMapping: { email: 'mail', colour: 'x' } },
      ];
      for (const body of invalid) expectProblem(await put(body), 400, 'validation_failed');
      expectProblem(await put({ ...baseConfig(), idpCerts: ['A'.repeat(200)] }), 400, 'saml_certificate_invalid');
    });

    it('stores, shows and audits the configuration with before and after', async () => {
      const org = await t.factory.newOrg();
      const empty = await api(t.http).get('/api/v1/admin/sso/saml').set(bearer(org.admin)).expect(200);
      expect(empty.body).toMatchObject({
        configured: false,
        config: null,
        serviceProvider: { entityId: `${PUBLIC_URL}/auth/saml/${org.slug}/metadata`, acsUrl: `${PUBLIC_URL}/auth/saml/${org.slug}/acs` },
      });
      await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), enabled: false }).expect(200);
      await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), idpCerts: [idp.certBase64], spEntityId: 'urn:chorus:acme' }).expect(200);
      const shown = await api(t.http).get('/api/v1/admin/sso/saml').set(bearer(org.admin)).expect(200);
      expect(shown.body).toMatchObject({ configured: true, config: { enabled: true, idpEntityId: IDP_ENTITY, spEntityId: 'urn:chorus:acme' }, serviceProvider: { entityId: 'urn:chorus:acme' } });
      expect(shown.body.config.idpCerts[0]).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const audit = await api(t.http).get('/api/v1/audit?action=sso.saml_config_updated').set(bearer(org.admin)).expect(200);
      expect(audit.body.items).toHaveLength(2);
      expect(audit.body.items[0].data).toMatchObject({ from: { enabled: false, spEntityId: null }, to: { enabled: true, spEntityId: 'urn:chorus:acme' } });
      expect(audit.body.items[0].actor.id).toBe(org.admin.id);
    });

    it('imports IdP metadata (entity id, redirect SSO URL, SLO URL, every signing certificate)', async () => {
      const org = await t.factory.newOrg();
      const res = await api(t.http)
        .post('/api/v1/admin/sso/saml/metadata')
        .set(bearer(org.admin))
        .send({ metadataXml: idpMetadata('https://idp.example/metadata-entity', 'https://idp.example/m/sso', [idp, otherIdp]) })
        .expect(200);
      expect(res.body.config).toMatchObject({
        enabled: false,
        idpEntityId: 'https://idp.example/metadata-entity',
        idpSsoUrl: 'https://idp.example/m/sso',
        idpSloUrl: 'https://idp.example/m/sso/logout',
      });
      expect(res.body.config.idpCerts).toHaveLength(2);
      for (const bad of ['<not-xml', '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>']) {
        const refused = await api(t.http).post('/api/v1/admin/sso/saml/metadata').set(bearer(org.admin)).send({ metadataXml: bad });
        expectProblem(refused, 400, 'saml_metadata_invalid');
      }
    });
  });

  describe('single-node mode (no Redis)', () => {
    let single: TestApp;
    beforeAll(async () => {
      single = await startTestApp({ PUBLIC_URL, REDIS_URL: '' });
    });
    afterAll(() => single.close());

    it('keeps request ids and used assertion ids in memory (one answer per request, one use per assertion)', async () => {
      const org = await single.factory.newOrg();
      await api(single.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send(baseConfig()).expect(200);
      const acsPath = `/auth/saml/${org.slug}/acs`;
      const target = { ...org, acsPath, acsUrl: `${PUBLIC_URL}${acsPath}`, spEntityId: `${PUBLIC_URL}/auth/saml/${org.slug}/metadata` };
      const login = await api(single.http).get(`/auth/saml/${org.slug}/login`).expect(302);
      const xml = sign(responseFor(target, { nameId: org.admin.email, inResponseTo: authnRequestId(login.headers.location) }), idp, 'assertion');
      const send = () => api(single.http).post(acsPath).type('form').send({ SAMLResponse: b64(xml) });
      expect((await send()).status).toBe(303);
      expectProblem(await send(), 401, 'saml_unknown_request');
      const unknown = sign(responseFor(target, { nameId: org.admin.email, inResponseTo: '_not-ours' }), idp, 'assertion');
      expectProblem(await api(single.http).post(acsPath).type('form').send({ SAMLResponse: b64(unknown) }), 401, 'saml_unknown_request');

      await api(single.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), allowIdpInitiated: true }).expect(200);
      const unsolicited = sign(responseFor(target, { nameId: org.admin.email }), idp, 'assertion');
      const again = () => api(single.http).post(acsPath).type('form').send({ SAMLResponse: b64(unsolicited) });
      expect((await again()).status).toBe(303);
      expectProblem(await again(), 401, 'saml_replay');
    });
  });
});
