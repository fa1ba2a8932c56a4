import { randomUUID } from 'node:crypto';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { asAppRole, expectProblem } from '../helpers/assertions.js';
import { runCli } from '../helpers/run-cli.js';
import { authnRequestId, b64, buildResponse, makeIdpKeys, sign, withAttribute, type IdpKeys } from '../helpers/saml-idp.js';
import { bearer, PASSWORD, type TestOrg, type TestUser } from '../factories/factory.js';

const PUBLIC_URL = 'http://chorus.test';
const IDP_ENTITY = 'https://idp.example/entity';
const IDP_SSO = 'https://idp.example/sso';

interface SamlOrg extends TestOrg {
  acsPath: string;
  acsUrl: string;
  spEntityId: string;
}

interface AuditItem {
  action: string;
  target: { type: string; id: string } | null;
  data: Record<string, unknown>;
}

describe('SAML extras: group sync, break-glass, ACS throttling', () => {
  let t: TestApp;
  let idp: IdpKeys;

  beforeAll(async () => {
    // Its own Redis namespace: the ACS budget per IP must not be shared with other suites.
    t = await startTestApp({ PUBLIC_URL, SSO_MAX_PER_IP: '100000', REDIS_PREFIX: `saml-extras-${randomUUID().slice(0, 8)}` });
    idp = makeIdpKeys();
  });
  afterAll(() => t.close());

  const baseConfig = () => ({
    enabled: true,
    idpEntityId: IDP_ENTITY,
    idpSsoUrl: IDP_SSO,
    idpCerts: [idp.certPem],
    attributeMapping: { email: 'email', displayName: 'displayName', groups: 'groups' },
    jit: true,
    defaultRole: 'member',
    ssoRequired: false,
    allowIdpInitiated: false,
  });

  async function samlOrg(app: TestApp = t, overrides: Record<string, unknown> = {}): Promise<SamlOrg> {
    const org = await app.factory.newOrg();
    await api(app.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), ...overrides }).expect(200);
    const acsPath = `/auth/saml/${org.slug}/acs`;
    return { ...org, acsPath, acsUrl: `${PUBLIC_URL}${acsPath}`, spEntityId: `${PUBLIC_URL}/auth/saml/${org.slug}/metadata` };
  }

  /** A full SP-initiated sign-in whose assertion lists these IdP groups (none: no groups attribute). */
  async function signIn(org: SamlOrg, email: string, groups?: string[], app: TestApp = t) {
    const start = await api(app.http).get(`/auth/saml/${org.slug}/login`).expect(302);
    let xml = buildResponse({
      issuer: IDP_ENTITY, audience: org.spEntityId, acsUrl: org.acsUrl, nameId: email,
      inResponseTo: authnRequestId(start.headers.location), attributes: { email },
    });
    if (groups) xml = withAttribute(xml, 'groups', groups);
    return api(app.http).post(org.acsPath).type('form').send({ SAMLResponse: b64(sign(xml, idp, 'assertion')) });
  }

  async function newGroup(org: TestOrg, name = `g-${randomUUID().slice(0, 8)}`): Promise<string> {
    const res = await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name }).expect(201);
    return res.body.id as string;
  }

  const addMember = (org: TestOrg, groupId: string, userId: string, role = 'member') =>
    api(t.http).post(`/api/v1/groups/${groupId}/members`).set(bearer(org.admin)).send({ userId, role }).expect(200);

  async function roleIn(org: TestOrg, groupId: string, userId: string): Promise<string | null> {
    const res = await api(t.http).get(`/api/v1/groups/${groupId}/members?limit=100`).set(bearer(org.admin)).expect(200);
    return (res.body.items as { userId: string; role: string }[]).find((m) => m.userId === userId)?.role ?? null;
  }

  const putLinks = (org: TestOrg, links: { groupId: string; idpGroup: string }[], as: TestUser = org.admin) =>
    api(t.http).put('/api/v1/admin/sso/group-links').set(bearer(as)).send({ links });

  async function audit(org: TestOrg, query: string, app: TestApp = t): Promise<AuditItem[]> {
    const res = await api(app.http).get(`/api/v1/audit?${query}&limit=100`).set(bearer(org.admin)).expect(200);
    return res.body.items as AuditItem[];
  }

  describe('group links API', () => {
    it('replaces, lists and audits the links; admins only; validated', async () => {
      const org = await samlOrg();
      const [eng, ops] = [await newGroup(org, 'Engineering'), await newGroup(org, 'Ops')];
      const put = await putLinks(org, [{ groupId: eng, idpGroup: 'eng' }, { groupId: ops, idpGroup: 'ops' }, { groupId: ops, idpGroup: 'sre' }]).expect(200);
      expect(put.body.links).toEqual([
        expect.objectContaining({ groupId: eng, groupName: 'Engineering', idpGroup: 'eng' }),
        expect.objectContaining({ groupId: ops, groupName: 'Ops', idpGroup: 'ops' }),
        expect.objectContaining({ groupId: ops, groupName: 'Ops', idpGroup: 'sre' }),
      ]);
      await putLinks(org, [{ groupId: eng, idpGroup: 'eng' }]).expect(200);
      const got = await api(t.http).get('/api/v1/admin/sso/group-links').set(bearer(org.admin)).expect(200);
      expect(got.body.links).toEqual([expect.objectContaining({ groupId: eng, idpGroup: 'eng' })]);

      const events = await audit(org, 'action=sso.group_links_updated');
      expect(events).toHaveLength(2);
      expect(events[0].data).toEqual({ added: [], removed: [{ groupId: ops, idpGroup: 'ops' }, { groupId: ops, idpGroup: 'sre' }] });

      const member = await t.factory.newUser(org);
      expectProblem(await putLinks(org, [], member), 403, 'forbidden');
      await api(t.http).get('/api/v1/admin/sso/group-links').set(bearer(member)).expect(403);
      expectProblem(await putLinks(org, [{ groupId: 'nope', idpGroup: 'x' }]), 400, 'validation_failed');
      expectProblem(await putLinks(org, [{ groupId: eng, idpGroup: '' }]), 400, 'validation_failed');
      expectProblem(await putLinks(org, [{ groupId: randomUUID(), idpGroup: 'x' }]), 404, 'not_found');
    });

    it("cannot link another org's group, and RLS hides links from other orgs", async () => {
      const a = await samlOrg();
      const b = await samlOrg();
      const bGroup = await newGroup(b);
      expectProblem(await putLinks(a, [{ groupId: bGroup, idpGroup: 'eng' }]), 404, 'not_found');
      await putLinks(b, [{ groupId: bGroup, idpGroup: 'eng' }]).expect(200);
      expect(await asAppRole(t.superuser, a.id, 'SELECT * FROM sso_group_link')).toEqual([]);
      expect(await asAppRole(t.superuser, null, 'SELECT * FROM sso_group_link')).toEqual([]);
      expect(await asAppRole(t.superuser, b.id, 'SELECT * FROM sso_group_link')).toHaveLength(1);
    });
  });

  describe('group sync on SAML sign-in', () => {
    it('adds to linked groups the IdP lists and removes from linked groups it no longer lists; unlinked groups untouched; audited via sso', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const [eng, ops, unlinked] = [await newGroup(org), await newGroup(org), await newGroup(org)];
      await putLinks(org, [{ groupId: eng, idpGroup: 'eng' }, { groupId: ops, idpGroup: 'ops' }]).expect(200);
      await addMember(org, ops, user.id);
      await addMember(org, unlinked, user.id);

      expect((await signIn(org, user.email, ['eng', 'not-linked'])).status).toBe(303);
      expect(await roleIn(org, eng, user.id)).toBe('member');
      expect(await roleIn(org, ops, user.id)).toBeNull();
      expect(await roleIn(org, unlinked, user.id)).toBe('member');

      const added = await audit(org, `action=group.member_added&targetId=${eng}`);
      expect(added).toEqual([expect.objectContaining({ target: { type: 'group', id: eng }, data: { userId: user.id, role: 'member', via: 'sso' } })]);
      const removed = await audit(org, `action=group.member_removed&targetId=${ops}`);
      expect(removed).toEqual([expect.objectContaining({ target: { type: 'group', id: ops }, data: { userId: user.id, role: 'member', via: 'sso' } })]);

      // Nothing changes, nothing audited; then the IdP lists ops again.
      expect((await signIn(org, user.email, ['eng'])).status).toBe(303);
      expect(await audit(org, `action=group.member_added&targetId=${eng}`)).toHaveLength(1);
      expect((await signIn(org, user.email, ['eng', 'ops'])).status).toBe(303);
      expect(await roleIn(org, ops, user.id)).toBe('member');
    });

    it('creates a just-in-time user straight into the linked groups', async () => {
      const org = await samlOrg();
      const eng = await newGroup(org);
      await putLinks(org, [{ groupId: eng, idpGroup: 'eng' }]).expect(200);
      const res = await signIn(org, `jit-${randomUUID().slice(0, 8)}@${org.slug}.test`, ['eng']);
      expect(res.status).toBe(303);
      const members = await api(t.http).get(`/api/v1/groups/${eng}/members`).set(bearer(org.admin)).expect(200);
      expect(members.body.items.map((m: { role: string }) => m.role).sort()).toEqual(['member', 'owner']);
    });

    it("an absent groups attribute means no IdP groups, but a group's last owner is never removed", async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const [owned, shared] = [await newGroup(org), await newGroup(org)];
      await addMember(org, owned, user.id, 'owner');
      await api(t.http).delete(`/api/v1/groups/${owned}/members/${org.admin.id}`).set(bearer(org.admin)).expect(204);
      await addMember(org, shared, user.id, 'owner');
      await putLinks(org, [{ groupId: owned, idpGroup: 'a' }, { groupId: shared, idpGroup: 'b' }]).expect(200);

      expect((await signIn(org, user.email)).status).toBe(303);
      expect(await roleIn(org, owned, user.id)).toBe('owner');
      expect(await roleIn(org, shared, user.id)).toBeNull();
    });

    it('leaves groups alone when no groups attribute is mapped', async () => {
      const org = await samlOrg(t, { attributeMapping: { email: 'email' } });
      const user = await t.factory.newUser(org);
      const eng = await newGroup(org);
      await addMember(org, eng, user.id);
      await putLinks(org, [{ groupId: eng, idpGroup: 'eng' }]).expect(200);
      expect((await signIn(org, user.email, ['other'])).status).toBe(303);
      expect(await roleIn(org, eng, user.id)).toBe('member');
    });
  });

  describe('break-glass', () => {
    it('admins set and clear breakGlass through PATCH /users/:id (audited); others cannot', async () => {
      const org = await samlOrg();
      const user = await t.factory.newUser(org);
      const set = await api(t.http).patch(`/api/v1/users/${user.id}`).set(bearer(org.admin)).send({ breakGlass: true, title: 'Ops' }).expect(200);
      expect(set.body).toMatchObject({ id: user.id, title: 'Ops', breakGlass: true });
      const events = await audit(org, `action=user.updated&targetId=${user.id}`);
      expect(events.map((e) => e.data.changes)).toEqual(expect.arrayContaining([{ breakGlass: { from: false, to: true } }]));

      expectProblem(await api(t.http).patch(`/api/v1/users/${user.id}`).set(bearer(user)).send({ breakGlass: false }), 403, 'forbidden');
      expectProblem(await api(t.http).patch(`/api/v1/users/${org.admin.id}`).set(bearer(user)).send({ breakGlass: true }), 404, 'not_found');
      expectProblem(await api(t.http).patch(`/api/v1/users/${user.id}`).set(bearer(org.admin)).send({ breakGlass: 'yes' }), 400, 'validation_failed');

      const cleared = await api(t.http).patch(`/api/v1/users/${user.id}`).set(bearer(org.admin)).send({ breakGlass: false }).expect(200);
      expect(cleared.body.breakGlass).toBe(false);
    });

    it('refuses requiring SSO until an active admin is break-glass (409 no_break_glass_admin)', async () => {
      const org = await samlOrg();
      const member = await t.factory.newUser(org);
      const requireSso = () => api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), ssoRequired: true });
      expectProblem(await requireSso(), 409, 'no_break_glass_admin');
      // A break-glass member does not count: only an admin can repair the settings.
      await api(t.http).patch(`/api/v1/users/${member.id}`).set(bearer(org.admin)).send({ breakGlass: true }).expect(200);
      expectProblem(await requireSso(), 409, 'no_break_glass_admin');

      await api(t.http).patch(`/api/v1/users/${org.admin.id}`).set(bearer(org.admin)).send({ breakGlass: true }).expect(200);
      expect((await requireSso().expect(200)).body.config.ssoRequired).toBe(true);
      await t.factory.login(org.admin);
      expectProblem(await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: (await t.factory.newUser(org)).email, password: PASSWORD }), 403, 'sso_required');
    });

    it('user:break-glass flags and unflags a user from the CLI (compiled, separate process)', async () => {
      const org = await samlOrg();
      const on = await runCli(['user:break-glass', '--org', org.slug, '--email', org.admin.email]);
      expect(on.code).toBe(0);
      expect(on.json).toMatchObject({ user: { id: org.admin.id, email: org.admin.email, role: 'admin', breakGlass: true } });
      await api(t.http).put('/api/v1/admin/sso/saml').set(bearer(org.admin)).send({ ...baseConfig(), ssoRequired: true }).expect(200);
      await t.factory.login(org.admin);

      const off = await runCli(['user:break-glass', '--org', org.slug, '--email', org.admin.email, '--off']);
      expect(off.code).toBe(0);
      expect(off.json).toMatchObject({ user: { breakGlass: false } });
      expectProblem(await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: org.admin.email, password: PASSWORD }), 403, 'sso_required');
      const events = await audit(org, `action=user.updated&targetId=${org.admin.id}`);
      expect(events.map((e) => e.data.changes)).toEqual([{ breakGlass: { from: true, to: false } }, { breakGlass: { from: false, to: true } }]);

      expect((await runCli(['user:break-glass', '--org', org.slug, '--email', `nobody@${org.slug}.test`])).code).toBe(2);
      expect((await runCli(['user:break-glass', '--org', org.slug])).code).toBe(2);
    });
  });

  describe('ACS throttling', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp({ PUBLIC_URL, SSO_MAX_PER_IP: '3', REDIS_PREFIX: `saml-throttle-${randomUUID().slice(0, 8)}` });
    });
    afterAll(() => limited.close());

    it('answers 429 sso_throttled past SSO_MAX_PER_IP per window, auditing the refusal once', async () => {
      const org = await samlOrg(limited);
      const bad = () => api(limited.http).post(org.acsPath).type('form').send({ SAMLResponse: b64('<nonsense/>') });
      for (let i = 0; i < 3; i++) expect((await bad()).status).toBe(401);
      for (let i = 0; i < 3; i++) {
        const res = await bad();
        expectProblem(res, 429, 'sso_throttled');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // A good response from the same address waits too.
      const user = await limited.factory.newUser(org);
      expectProblem(await signIn(org, user.email, undefined, limited), 429, 'sso_throttled');
      expect(await audit(org, 'action=auth.sso_login_throttled', limited)).toHaveLength(1);
      expect(await audit(org, 'action=auth.sso_login_failed', limited)).toHaveLength(3);
    });
  });
});
