import { randomUUID } from 'node:crypto';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { expectProblem } from '../helpers/assertions.js';
import {
  authnRequestId, b64, buildLogoutRequest, buildLogoutResponse, buildResponse, makeIdpKeys, redirectMessage, redirectQuery, sign, signRoot,
  type IdpKeys,
} from '../helpers/saml-idp.js';
import { bearer, PASSWORD, type TestOrg } from '../factories/factory.js';

const PUBLIC_URL = 'http://chorus.test';
const IDP_ENTITY = 'https://idp.example/entity';
const IDP_SSO = 'https://idp.example/sso';
const IDP_SLO = 'https://idp.example/slo';

interface SamlOrg extends TestOrg {
  acsUrl: string;
  spEntityId: string;
  sloPath: string;
  sloUrl: string;
}

describe('SAML single logout', () => {
  let t: TestApp;
  let idp: IdpKeys;
  let otherIdp: IdpKeys;

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL, SSO_MAX_PER_IP: '100000', REDIS_PREFIX: `saml-slo-${randomUUID().slice(0, 8)}` });
    idp = makeIdpKeys();
    otherIdp = makeIdpKeys('someone-else');
  });
  afterAll(() => t.close());

  const baseConfig = () => ({
    enabled: true,
    idpEntityId: IDP_ENTITY,
    idpSsoUrl: IDP_SSO,
    idpSloUrl: IDP_SLO,
    idpCerts: [idp.certPem],
    attributeMapping: { email: 'email' },
    jit: true,
    defaultRole: 'member',
    ssoRequired: false,
    allowIdpInitiated: false,
  });

  async function samlOrg(overrides: Record<string, unknown> = {}): Promise<SamlOrg> {
    const org = await t.factory.newOrg();
    await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), ...overrides }).expect(200);
    const base = `/auth/saml/${org.slug}`;
    return { ...org, acsUrl: `${PUBLIC_URL}${base}/acs`, spEntityId: `${PUBLIC_URL}${base}/metadata`, sloPath: `${base}/slo`, sloUrl: `${PUBLIC_URL}${base}/slo` };
  }

  const cookieOf = (res: { headers: Record<string, unknown> }) =>
    ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('chorus_session='))?.split(';')[0];

  /** A full SP-initiated SAML sign-in; returns the session cookie. */
  async function samlLogin(org: SamlOrg, email: string, sessionIndex = `_s${randomUUID()}`): Promise<string> {
    const start = await api(t.http).get(`/auth/saml/${org.slug}/login`).expect(302);
    const xml = buildResponse({
      issuer: IDP_ENTITY, audience: org.spEntityId, acsUrl: org.acsUrl, nameId: email, sessionIndex,
      inResponseTo: authnRequestId(start.headers.location), attributes: { email },
    });
    const res = await api(t.http).post(`/auth/saml/${org.slug}/acs`).type('form').send({ SAMLResponse: b64(sign(xml, idp, 'assertion')) });
    expect(res.status).toBe(303);
    return cookieOf(res)!;
  }

  async function passwordLogin(org: SamlOrg, email: string): Promise<string> {
    const res = await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email, password: PASSWORD }).expect(200);
    return cookieOf(res)!;
  }

  const meStatus = async (cookie: string) => (await api(t.http).get('/api/v1/me').set('Cookie', cookie)).status;

  const logoutRequest = (org: SamlOrg, nameId: string, o: { sessionIndex?: string; issuer?: string; destination?: string | null; id?: string } = {}) =>
    buildLogoutRequest({ issuer: o.issuer ?? IDP_ENTITY, destination: o.destination === undefined ? org.sloUrl : o.destination, nameId, sessionIndex: o.sessionIndex, id: o.id });

  const postSlo = (org: Pick<SamlOrg, 'sloPath'>, xml: string, field: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest') =>
    api(t.http).post(org.sloPath).type('form').send({ [field]: b64(xml) });

  const getSlo = (org: Pick<SamlOrg, 'sloPath'>, query: string) => api(t.http).get(`${org.sloPath}?${query}`);

  async function ssoLogoutEvents(org: TestOrg): Promise<{ target: { id: string } | null; data: Record<string, unknown> }[]> {
    const audit = await api(t.http).get('/api/v1/audit?action=auth.sso_logout').set(bearer(org.admin)).expect(200);
    return audit.body.items;
  }

  describe('SP-initiated', () => {
    it('ends the session and redirects to the IdP with a LogoutRequest carrying the NameID and SessionIndex; the LogoutResponse is accepted once', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const cookie = await samlLogin(org, user.email, '_session-index-1');
      expect(await meStatus(cookie)).toBe(200);

      const res = await api(t.http).get(`/auth/saml/${org.slug}/logout`).set('Cookie', cookie);
      expect(res.status).toBe(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(IDP_SLO);
      const { xml } = redirectMessage(res.headers.location);
      expect(xml).toMatch(/<samlp:LogoutRequest\b/);
      expect(xml).toContain(`>${user.email}</saml:NameID>`);
      expect(xml).toMatch(/<saml2p:SessionIndex[^>]*>_session-index-1<\/saml2p:SessionIndex>/);
      expect(xml).toContain(`<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${org.spEntityId}</saml:Issuer>`);
      expect(xml).toContain(`Destination="${IDP_SLO}"`);
      expect(([] as string[]).concat(res.headers['set-cookie']).find((c) => c.startsWith('chorus_session='))).toMatch(/chorus_session=;/);
      expect(await meStatus(cookie)).toBe(401);

      const requestId = /\sID="([^"]+)"/.exec(xml)![1];
      const answer = buildLogoutResponse({ issuer: IDP_ENTITY, destination: org.sloUrl, inResponseTo: requestId });
      const back = await getSlo(org, redirectQuery('SAMLResponse', answer, idp));
      expect(back.status).toBe(303);
      expect(back.headers.location).toBe('/');
      expectProblem(await getSlo(org, redirectQuery('SAMLResponse', answer, idp)), 401, 'saml_unknown_request');
      const unasked = buildLogoutResponse({ issuer: IDP_ENTITY, destination: org.sloUrl, inResponseTo: '_never-sent' });
      expectProblem(await getSlo(org, redirectQuery('SAMLResponse', unasked, idp)), 401, 'saml_unknown_request');
    });

    it('accepts a signed LogoutResponse posted back (HTTP-POST) and refuses a failed one', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const first = await api(t.http).get(`/auth/saml/${org.slug}/logout`).set('Cookie', await samlLogin(org, user.email));
      const id1 = /\sID="([^"]+)"/.exec(redirectMessage(first.headers.location).xml)![1];
      const ok = await postSlo(org, signRoot(buildLogoutResponse({ issuer: IDP_ENTITY, destination: org.sloUrl, inResponseTo: id1 }), idp), 'SAMLResponse');
      expect(ok.status).toBe(303);

      const second = await api(t.http).get(`/auth/saml/${org.slug}/logout`).set('Cookie', await samlLogin(org, user.email));
      const id2 = /\sID="([^"]+)"/.exec(redirectMessage(second.headers.location).xml)![1];
      const failed = buildLogoutResponse({ issuer: IDP_ENTITY, destination: org.sloUrl, inResponseTo: id2, status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
      expectProblem(await postSlo(org, signRoot(failed, idp), 'SAMLResponse'), 401, 'saml_idp_error');
      const unsigned = buildLogoutResponse({ issuer: IDP_ENTITY, destination: org.sloUrl, inResponseTo: id2 });
      expectProblem(await postSlo(org, unsigned, 'SAMLResponse'), 401, 'saml_signature_invalid');
    });

    it('without an IdP SLO URL, or for a password session, ends the session and answers 303 to /', async () => {
      const org = await samlOrg({ idpSloUrl: undefined });
      const user = await t.factory.newUser(org);
      for (const cookie of [await samlLogin(org, user.email), await passwordLogin(org, user.email)]) {
        const res = await api(t.http).get(`/auth/saml/${org.slug}/logout`).set('Cookie', cookie);
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe('/');
        expect(await meStatus(cookie)).toBe(401);
      }
      const anonymous = await api(t.http).get(`/auth/saml/${org.slug}/logout`);
      expect(anonymous.status).toBe(303);
      const audit = await api(t.http).get('/api/v1/audit?action=auth.logout').set(bearer(org.admin)).expect(200);
      expect(audit.body.items).toHaveLength(2);
    });
  });

  it('advertises the single logout service in SP metadata and the admin view', async () => {
    const org = await samlOrg();
    const metadata = await api(t.http).get(`/auth/saml/${org.slug}/metadata`).expect(200);
    expect(metadata.text).toMatch(new RegExp(`<SingleLogoutService[^>]*Location="${org.sloUrl}"`));
    const view = await api(t.http).get('/api/v1/admin/sso/saml').set(bearer(org.admin)).expect(200);
    expect(view.body.serviceProvider).toMatchObject({ sloUrl: org.sloUrl, logoutUrl: `${PUBLIC_URL}/auth/saml/${org.slug}/logout` });
  });

  describe('IdP-initiated', () => {
    it('a signed LogoutRequest (HTTP-POST) ends every session started for the NameID and answers with a Success LogoutResponse', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const [s1, s2] = [await samlLogin(org, user.email), await samlLogin(org, user.email)];
      const password = await passwordLogin(org, user.email);
      const bystander = await samlLogin(org, (await t.factory.newUser(org)).email);

      const id = `_lo${randomUUID()}`;
      const res = await postSlo(org, signRoot(logoutRequest(org, user.email, { id }), idp));
      expect(res.status).toBe(302);
      const location = new URL(res.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(IDP_SLO);
      const { xml } = redirectMessage(res.headers.location);
      expect(xml).toMatch(/<samlp:LogoutResponse\b/);
      expect(xml).toContain(`InResponseTo="${id}"`);
      expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');

      expect(await meStatus(s1)).toBe(401);
      expect(await meStatus(s2)).toBe(401);
      // Not started for that NameID: a password session and another user's SAML session stay.
      expect(await meStatus(password)).toBe(200);
      expect(await meStatus(bystander)).toBe(200);
      const events = await ssoLogoutEvents(org);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ target: { id: user.id }, data: { protocol: 'saml', initiator: 'idp' } });
      expect(events[0].data.sessionIds).toHaveLength(2);

      // The same request again is a replay.
      expectProblem(await postSlo(org, signRoot(logoutRequest(org, user.email, { id }), idp)), 401, 'saml_replay');
    });

    it('a signed LogoutRequest (HTTP-Redirect, RSA-SHA256 over the query) with a SessionIndex ends only that session and keeps RelayState', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const target = await samlLogin(org, user.email, '_idx-target');
      const other = await samlLogin(org, user.email, '_idx-other');
      const res = await getSlo(org, redirectQuery('SAMLRequest', logoutRequest(org, user.email, { sessionIndex: '_idx-target' }), idp, 'relay+state/1'));
      expect(res.status).toBe(302);
      const { xml, params } = redirectMessage(res.headers.location);
      expect(xml).toMatch(/<samlp:LogoutResponse\b/);
      expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
      expect(params.get('RelayState')).toBe('relay+state/1');
      expect(await meStatus(target)).toBe(401);
      expect(await meStatus(other)).toBe(200);
    });

    describe('refuses, ending no session', () => {
      let org: SamlOrg;
      let email: string;
      let cookie: string;
      beforeAll(async () => {
        org = await samlOrg();
        email = (await t.factory.newUser(org)).email;
        cookie = await samlLogin(org, email);
      });
      afterEach(async () => {
        expect(await meStatus(cookie)).toBe(200);
        expect(await ssoLogoutEvents(org)).toHaveLength(0);
      });

      it('an unsigned LogoutRequest (redirect and POST)', async () => {
        expectProblem(await getSlo(org, redirectQuery('SAMLRequest', logoutRequest(org, email), null)), 401, 'saml_signature_invalid');
        expectProblem(await postSlo(org, logoutRequest(org, email)), 401, 'saml_signature_invalid');
      });

      it('a LogoutRequest signed by a key that is not configured (redirect and POST)', async () => {
        expectProblem(await getSlo(org, redirectQuery('SAMLRequest', logoutRequest(org, email), otherIdp)), 401, 'saml_signature_invalid');
        expectProblem(await postSlo(org, signRoot(logoutRequest(org, email), otherIdp)), 401, 'saml_signature_invalid');
      });

      it('a redirect-signed query whose SAMLRequest was swapped after signing, or whose signature was dropped', async () => {
        const signed = redirectQuery('SAMLRequest', logoutRequest(org, `someone-else@${org.slug}.test`), idp);
        const swapped = redirectQuery('SAMLRequest', logoutRequest(org, email), null);
        const tampered = signed.replace(/^SAMLRequest=[^&]*/, swapped);
        expectProblem(await getSlo(org, tampered), 401, 'saml_signature_invalid');
        expectProblem(await getSlo(org, `${swapped}&${signed.split('&').slice(1).join('&')}&${swapped}`), 401, 'saml_response_invalid');
        const noSignature = signed.replace(/&Signature=[^&]*/, '');
        expectProblem(await getSlo(org, noSignature), 401, 'saml_signature_invalid');
      });

      it('a POST-signed LogoutRequest tampered with after signing', async () => {
        const signed = signRoot(logoutRequest(org, `someone-else@${org.slug}.test`), idp);
        expectProblem(await postSlo(org, signed.replace(`someone-else@${org.slug}.test`, email)), 401, 'saml_signature_invalid');
      });

      it('a signed LogoutRequest from another issuer (redirect and POST)', async () => {
        const xml = logoutRequest(org, email, { issuer: 'https://evil.example/entity' });
        expectProblem(await getSlo(org, redirectQuery('SAMLRequest', xml, idp)), 401, 'saml_issuer_mismatch');
        expectProblem(await postSlo(org, signRoot(xml, idp)), 401, 'saml_issuer_mismatch');
      });

      it('a signed LogoutRequest without a Destination, or addressed elsewhere', async () => {
        expectProblem(await postSlo(org, signRoot(logoutRequest(org, email, { destination: null }), idp)), 401, 'saml_destination_mismatch');
        expectProblem(await postSlo(org, signRoot(logoutRequest(org, email, { destination: 'https://evil.example/slo' }), idp)), 401, 'saml_destination_mismatch');
      });

      it('a stale signed LogoutRequest', async () => {
        const old = buildLogoutRequest({ issuer: IDP_ENTITY, destination: org.sloUrl, nameId: email, issueInstant: new Date(Date.now() - 60 * 60_000) });
        expectProblem(await postSlo(org, signRoot(old, idp)), 401, 'saml_expired');
      });
    });

    it("a LogoutRequest for org A sent to org B's endpoint ends nothing, even with the same IdP and user", async () => {
      const a = await samlOrg();
      const b = await samlOrg();
      const email = `shared-${Date.now()}@example.test`;
      await t.factory.newUser(a, { email });
      await t.factory.newUser(b, { email });
      const [cookieA, cookieB] = [await samlLogin(a, email), await samlLogin(b, email)];
      const forA = logoutRequest(a, email);
      expectProblem(await postSlo(b, signRoot(forA, idp)), 401, 'saml_destination_mismatch');
      expectProblem(await getSlo(b, redirectQuery('SAMLRequest', forA, idp)), 401, 'saml_destination_mismatch');
      expect(await meStatus(cookieA)).toBe(200);
      expect(await meStatus(cookieB)).toBe(200);
      expect(await ssoLogoutEvents(a)).toHaveLength(0);
      expect(await ssoLogoutEvents(b)).toHaveLength(0);
    });

    it('answers saml_not_configured for an org without SAML', async () => {
      const org = await t.factory.newOrg();
      expectProblem(await api(t.http).post(`/auth/saml/${org.slug}/slo`).type('form').send({ SAMLRequest: 'x' }), 401, 'saml_not_configured');
    });
  });
});
