import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg } from '../factories/factory.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

const unique = () => randomUUID().slice(0, 8);

/** A SCIM error body with this status (as a string, per RFC 7644) and scimType. */
function expectScimError(res: Response, status: number, scimType?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(res.body).toMatchObject({ schemas: [ERROR], status: String(status), detail: expect.any(String) });
  if (scimType) expect(res.body.scimType).toBe(scimType);
}

/** Okta's "Create User" body (Okta SCIM 2.0 reference). */
const oktaUser = (email: string) => ({
  schemas: [USER],
  userName: email,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: email, type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: `00u${unique()}${unique()}`,
  groups: [],
  password: '1mz050nq',
  active: true,
});

/** Entra ID's "Create User" body (Entra SCIM validator / provisioning docs). */
const entraUser = (email: string) => ({
  schemas: [USER, ENTERPRISE],
  externalId: randomUUID(),
  userName: email,
  active: true,
  emails: [{ primary: true, type: 'work', value: email }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
  title: 'Engineer',
  [ENTERPRISE]: { department: 'Platform', employeeNumber: '42' },
});

describe('SCIM 2.0 provisioning', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function scimSetup(): Promise<{ org: TestOrg; token: string; scim: (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) => ReturnType<ReturnType<typeof api>['get']> }> {
    const org = await t.factory.newOrg();
    const created = await api(t.http).post('/api/v1/admin/scim/tokens').set(bearer(org.admin)).send({ name: 'IdP' }).expect(201);
    const token = created.body.token as string;
    const scim = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) =>
      api(t.http)[method](`/scim/v2${path}`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/scim+json');
    return { org, token, scim };
  }

  const audit = async (org: TestOrg, action: string) =>
    (await api(t.http).get('/api/v1/audit').query({ action }).set(bearer(org.admin)).expect(200)).body.items as {
      actor: { type: string; id: string | null };
      target: { type: string; id: string } | null;
      data: Record<string, unknown>;
    }[];

  describe('tokens', () => {
    it('lets admins create (secret once, prefix visible), list and revoke tokens, audited; a revoked token gets 401', async () => {
      const { org, token, scim } = await scimSetup();
      expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
      const list = await api(t.http).get('/api/v1/admin/scim/tokens').set(bearer(org.admin)).expect(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ name: 'IdP', prefix: token.slice(0, 12), revokedAt: null });
      expect(JSON.stringify(list.body)).not.toContain(token);

      await scim('get', '/Users').expect(200);
      await api(t.http).delete(`/api/v1/admin/scim/tokens/${list.body.items[0].id}`).set(bearer(org.admin)).expect(204);
      expectScimError(await scim('get', '/Users'), 401);

      expect((await audit(org, 'scim.token_created'))[0]).toMatchObject({ actor: { type: 'user', id: org.admin.id }, data: { prefix: token.slice(0, 12) } });
      expect(await audit(org, 'scim.token_revoked')).toHaveLength(1);
    });

    it('is for admins only', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      await api(t.http).post('/api/v1/admin/scim/tokens').set(bearer(member)).send({ name: 'x' }).expect(403);
      await api(t.http).get('/api/v1/admin/scim/tokens').set(bearer(member)).expect(403);
    });

    it('answers a missing or wrong token, or a personal API token, with 401 in SCIM format', async () => {
      const org = await t.factory.newOrg();
      expectScimError(await api(t.http).get('/scim/v2/Users'), 401);
      expectScimError(await api(t.http).get('/scim/v2/Users').set('Authorization', `Bearer scim_${'x'.repeat(43)}`), 401);
      expectScimError(await api(t.http).get('/scim/v2/Users').set(bearer(org.admin)), 401);
      expectScimError(await api(t.http).get('/scim/v2/ServiceProviderConfig').set('Authorization', 'Basic abc'), 401);
    });

    it('cannot see or change another organisation', async () => {
      const a = await scimSetup();
      const b = await scimSetup();
      const user = await t.factory.newUser(a.org);
      expectScimError(await b.scim('get', `/Users/${user.id}`), 404);
      expectScimError(await b.scim('patch', `/Users/${user.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }), 404);
      const list = await b.scim('get', '/Users').query({ filter: `userName eq "${user.email}"` }).expect(200);
      expect(list.body.totalResults).toBe(0);
      await api(t.http).get('/api/v1/me').set(bearer(user)).expect(200);
    });
  });

  describe('Users', () => {
    it('creates a user from Okta\'s body, then gets, lists and filters it', async () => {
      const { org, scim } = await scimSetup();
      const email = `test.user-${unique()}@okta.local`;
      const body = oktaUser(email);
      const created = await scim('post', '/Users').send(body).expect(201);
      expect(created.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(created.headers.location).toMatch(new RegExp(`/scim/v2/Users/${created.body.id}$`));
      expect(created.body).toMatchObject({
        schemas: expect.arrayContaining([USER]),
        userName: email,
        externalId: body.externalId,
        displayName: 'Test User',
        active: true,
        emails: [{ value: email, type: 'work', primary: true }],
        meta: { resourceType: 'User', created: expect.any(String), lastModified: expect.any(String), location: expect.stringContaining(`/scim/v2/Users/${created.body.id}`) },
      });
      expect(JSON.stringify(created.body)).not.toContain('1mz050nq');

      const id = created.body.id as string;
      expect((await scim('get', `/Users/${id}`).expect(200)).body).toMatchObject({ id, userName: email });
      for (const filter of [`userName eq "${email}"`, `externalId eq "${body.externalId}"`, `emails[type eq "work"].value eq "${email}"`, `userName eq "${email.toUpperCase()}"`]) {
        const res = await scim('get', '/Users').query({ filter, startIndex: 1, count: 100 }).expect(200);
        expect(res.body).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
        expect(res.body.Resources[0].id).toBe(id);
      }
      const none = await scim('get', '/Users').query({ filter: `userName eq "nobody-${unique()}@okta.local"` }).expect(200);
      expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });

      const apiView = await api(t.http).get(`/api/v1/users/${id}`).set(bearer(org.admin)).expect(200);
      expect(apiView.body).toMatchObject({ email, displayName: 'Test User', status: 'active', role: 'member' });
      expect((await audit(org, 'user.created'))[0]).toMatchObject({ actor: { type: 'scim', id: null }, target: { type: 'user', id } });
    });

    it('creates a user from Entra ID\'s body with title and enterprise department', async () => {
      const { scim } = await scimSetup();
      const email = `Test_User_${unique()}@testuser.com`;
      const created = await scim('post', '/Users').send(entraUser(email)).expect(201);
      expect(created.body).toMatchObject({ userName: email, displayName: 'givenName familyName', title: 'Engineer', [ENTERPRISE]: { department: 'Platform' } });
    });

    it('answers a duplicate userName or externalId with 409 uniqueness', async () => {
      const { scim } = await scimSetup();
      const email = `dup-${unique()}@okta.local`;
      const first = oktaUser(email);
      await scim('post', '/Users').send(first).expect(201);
      expectScimError(await scim('post', '/Users').send({ ...oktaUser(email.toUpperCase()) }), 409, 'uniqueness');
      expectScimError(await scim('post', '/Users').send({ ...oktaUser(`other-${unique()}@okta.local`), externalId: first.externalId }), 409, 'uniqueness');
    });

    it('pages with startIndex and count', async () => {
      const { org, scim } = await scimSetup();
      for (let i = 0; i < 4; i++) await t.factory.newUser(org);
      const all = await scim('get', '/Users').expect(200);
      expect(all.body.totalResults).toBe(5);
      const page = await scim('get', '/Users').query({ startIndex: 2, count: 2 }).expect(200);
      expect(page.body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
      expect(page.body.Resources.map((r: { id: string }) => r.id)).toEqual(all.body.Resources.slice(1, 3).map((r: { id: string }) => r.id));
      const counted = await scim('get', '/Users').query({ count: 0 }).expect(200);
      expect(counted.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
      expectScimError(await scim('get', '/Users').query({ count: 'many' }), 400, 'invalidValue');
    });

    it('rejects filters it cannot honour with 400 invalidFilter', async () => {
      const { scim } = await scimSetup();
      for (const filter of ['userName eq', 'userName co "a"', 'title eq "x"', 'userName eq "a" or userName eq "b"', 'active eq true']) {
        expectScimError(await scim('get', '/Users').query({ filter }), 400, 'invalidFilter');
      }
      expectScimError(await scim('get', '/Groups').query({ filter: 'displayName sw "x"' }), 400, 'invalidFilter');
    });

    it('replaces a user with Okta\'s PUT body', async () => {
      const { scim } = await scimSetup();
      const email = `put-${unique()}@okta.local`;
      const created = await scim('post', '/Users').send({ ...oktaUser(email), title: 'Old title' }).expect(201);
      const newEmail = `another-${unique()}@okta.local`;
      const put = await scim('put', `/Users/${created.body.id}`)
        .send({
          schemas: [USER],
          id: created.body.id,
          userName: newEmail,
          name: { givenName: 'Another', familyName: 'User' },
          emails: [{ primary: true, value: newEmail, type: 'work' }],
          displayName: 'Another User',
          locale: 'en-US',
          externalId: created.body.externalId,
          groups: [],
          active: true,
        })
        .expect(200);
      expect(put.body).toMatchObject({ id: created.body.id, userName: newEmail, displayName: 'Another User', active: true });
      expect(put.body.title).toBeUndefined();
    });

    it('applies Entra ID PATCH shapes: capitalised ops, emails value path, name parts, enterprise URN paths, no-path values', async () => {
      const { org, scim } = await scimSetup();
      const created = await scim('post', '/Users').send(entraUser(`Test_User_${unique()}@testuser.com`)).expect(201);
      const id = created.body.id as string;
      const newEmail = `updatedEmail-${unique()}@microsoft.com`;
      const patched = await scim('patch', `/Users/${id}`)
        .send({
          schemas: [PATCH_OP],
          Operations: [
            { op: 'Add', path: 'emails[type eq "work"].value', value: newEmail },
            { op: 'Replace', path: 'name.givenName', value: 'updatedGivenName' },
            { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
            { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Research' },
            { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Cambridge' },
          ],
        })
        .expect(200);
      expect(patched.body).toMatchObject({ userName: newEmail, emails: [{ value: newEmail }], displayName: 'updatedGivenName updatedFamilyName', [ENTERPRISE]: { department: 'Research' } });

      const noPath = await scim('patch', `/Users/${id}`)
        .send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { displayName: 'Display Name', title: 'Staff Engineer', [`${ENTERPRISE}:department`]: 'Ops' } }] })
        .expect(200);
      expect(noPath.body).toMatchObject({ displayName: 'Display Name', title: 'Staff Engineer', [ENTERPRISE]: { department: 'Ops' } });

      const removed = await scim('patch', `/Users/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'title' }] }).expect(200);
      expect(removed.body.title).toBeUndefined();

      const updates = await audit(org, 'user.updated');
      expect(updates.length).toBeGreaterThanOrEqual(3);
      expect(updates.every((e) => e.actor.type === 'scim')).toBe(true);
    });

    it('rejects malformed PATCH bodies with SCIM errors', async () => {
      const { scim } = await scimSetup();
      const user = await scim('post', '/Users').send(oktaUser(`bad-${unique()}@okta.local`)).expect(201);
      const path = `/Users/${user.body.id}`;
      expectScimError(await scim('patch', path).send({ schemas: [PATCH_OP], Operations: [] }), 400, 'invalidSyntax');
      expectScimError(await scim('patch', path).send({ schemas: [PATCH_OP], Operations: [{ op: 'Frobnicate', path: 'title', value: 'x' }] }), 400, 'invalidSyntax');
      expectScimError(await scim('patch', path).send({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'maybe' }] }), 400, 'invalidValue');
      expectScimError(await scim('patch', path).send({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'userName', value: 'not-an-email' }] }), 400, 'invalidValue');
      const many = Array.from({ length: 101 }, () => ({ op: 'replace', path: 'title', value: 'x' }));
      expectScimError(await scim('patch', path).send({ schemas: [PATCH_OP], Operations: many }), 400, 'tooMany');
    });

    it('deactivates with Entra ID\'s {"op":"Replace","path":"active","value":"False"}: sessions and API tokens end, content stays', async () => {
      const { org, scim } = await scimSetup();
      const user = await t.factory.newUser(org);
      const browser = await t.factory.login(user);
      const post = await api(t.http).post('/api/v1/posts').set(bearer(user)).send({ body: 'kept after deactivation' }).expect(201);
      await api(t.http).get('/api/v1/me').set(bearer(user)).expect(200);

      const res = await scim('patch', `/Users/${user.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }).expect(200);
      expect(res.body.active).toBe(false);

      await api(t.http).get('/api/v1/me').set(bearer(user)).expect(401);
      await api(t.http).get('/api/v1/me').set('Cookie', browser.cookie).expect(401);
      await api(t.http).post('/api/v1/auth/login').send({ org: org.slug, email: user.email, password: 'test-password-123' }).expect(401);
      await api(t.http).get(`/api/v1/posts/${post.body.id}`).set(bearer(org.admin)).expect(200);

      const [event] = await audit(org, 'user.deactivated');
      expect(event).toMatchObject({ actor: { type: 'scim', id: null }, target: { type: 'user', id: user.id }, data: { revoked: { sessions: 1, tokens: 1 } } });
    });

    it('deactivates with Okta\'s no-path {"op":"replace","value":{"active":false}} and reactivates with active true', async () => {
      const { org, scim } = await scimSetup();
      const user = await t.factory.newUser(org);
      await scim('patch', `/Users/${user.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
      await api(t.http).get('/api/v1/me').set(bearer(user)).expect(401);
      expect((await api(t.http).get(`/api/v1/users/${user.id}`).set(bearer(org.admin)).expect(200)).body.status).toBe('deactivated');

      const back = await scim('patch', `/Users/${user.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }).expect(200);
      expect(back.body.active).toBe(true);
      await t.factory.login(user);
      expect((await audit(org, 'user.reactivated'))[0]).toMatchObject({ actor: { type: 'scim' }, target: { id: user.id } });
    });

    it('deactivates by PUT active false, and creates a user already inactive', async () => {
      const { org, scim } = await scimSetup();
      const email = `inactive-${unique()}@okta.local`;
      const created = await scim('post', '/Users').send({ ...oktaUser(email), active: false }).expect(201);
      expect(created.body.active).toBe(false);
      const user = await t.factory.newUser(org);
      const put = await scim('put', `/Users/${user.id}`).send({ schemas: [USER], userName: user.email, displayName: 'Put Off', active: false }).expect(200);
      expect(put.body).toMatchObject({ active: false, displayName: 'Put Off' });
      await api(t.http).get('/api/v1/me').set(bearer(user)).expect(401);
    });

    it('will not deactivate the organisation\'s last admin', async () => {
      const { org, scim } = await scimSetup();
      expectScimError(await scim('patch', `/Users/${org.admin.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }), 409);
      await api(t.http).get('/api/v1/me').set(bearer(org.admin)).expect(200);
    });

    it('DELETE deactivates the user (content kept) and SCIM no longer finds it', async () => {
      const { org, scim } = await scimSetup();
      const user = await t.factory.newUser(org);
      const post = await api(t.http).post('/api/v1/posts').set(bearer(user)).send({ body: 'still here' }).expect(201);
      await scim('delete', `/Users/${user.id}`).expect(204);
      expectScimError(await scim('get', `/Users/${user.id}`), 404);
      expect((await scim('get', '/Users').query({ filter: `userName eq "${user.email}"` }).expect(200)).body.totalResults).toBe(0);
      expectScimError(await scim('delete', `/Users/${user.id}`), 404);
      await api(t.http).get('/api/v1/me').set(bearer(user)).expect(401);
      expect((await api(t.http).get(`/api/v1/users/${user.id}`).set(bearer(org.admin)).expect(200)).body.status).toBe('deactivated');
      await api(t.http).get(`/api/v1/posts/${post.body.id}`).set(bearer(org.admin)).expect(200);
      expect((await audit(org, 'scim.user_deleted'))[0]).toMatchObject({ actor: { type: 'scim' }, target: { id: user.id } });
    });

    it('answers unknown and malformed ids with 404 in SCIM format', async () => {
      const { scim } = await scimSetup();
      expectScimError(await scim('get', `/Users/${randomUUID()}`), 404);
      expectScimError(await scim('get', '/Users/not-a-uuid'), 404);
    });
  });

  describe('Groups', () => {
    it('creates a group from Okta\'s body, renames it, adds and removes members the Okta way', async () => {
      const { org, scim } = await scimSetup();
      const [a, b] = [await t.factory.newUser(org), await t.factory.newUser(org)];
      const name = `Test SCIMv2 ${unique()}`;
      const created = await scim('post', '/Groups').send({ schemas: [GROUP], displayName: name, members: [] }).expect(201);
      expect(created.body).toMatchObject({ schemas: [GROUP], displayName: name, members: [], meta: { resourceType: 'Group', location: expect.stringContaining(`/Groups/${created.body.id}`) } });
      const id = created.body.id as string;

      const renamed = `${name} renamed`;
      await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id, displayName: renamed } }] }).expect(200);
      const added = await scim('patch', `/Groups/${id}`)
        .send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: a.id, display: a.email }, { value: b.id, display: b.email }] }] })
        .expect(200);
      expect(added.body.displayName).toBe(renamed);
      expect(added.body.members.map((m: { value: string }) => m.value).sort()).toEqual([a.id, b.id].sort());

      const removed = await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${a.id}"]` }] }).expect(200);
      expect(removed.body.members).toEqual([expect.objectContaining({ value: b.id })]);

      const group = await api(t.http).get(`/api/v1/groups/${id}`).set(bearer(b)).expect(200);
      expect(group.body).toMatchObject({ name: renamed, visibility: 'private', myRole: 'member' });
      await api(t.http).get(`/api/v1/groups/${id}`).set(bearer(a)).expect(404);

      expect((await audit(org, 'group.created'))[0].actor.type).toBe('scim');
      expect((await audit(org, 'group.member_added')).filter((e) => e.actor.type === 'scim')).toHaveLength(2);
      expect((await audit(org, 'group.member_removed'))[0]).toMatchObject({ actor: { type: 'scim' }, data: { userId: a.id } });
    });

    it('handles Entra ID\'s group calls: filter by displayName without members, Add/Remove members, Replace displayName', async () => {
      const { org, scim } = await scimSetup();
      const [a, b] = [await t.factory.newUser(org), await t.factory.newUser(org)];
      const name = `Entra ${unique()}`;
      const externalId = randomUUID();
      const created = await scim('post', '/Groups')
        .send({ schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId, displayName: name, meta: { resourceType: 'Group' } })
        .expect(201);
      const id = created.body.id as string;

      const found = await scim('get', '/Groups').query({ excludedAttributes: 'members', filter: `displayName eq "${name}"` }).expect(200);
      expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id, displayName: name, externalId }] });
      expect(found.body.Resources[0].members).toBeUndefined();
      expect((await scim('get', '/Groups').query({ filter: `externalId eq "${externalId}"` }).expect(200)).body.totalResults).toBe(1);

      await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: a.id }, { $ref: null, value: b.id }] }] }).expect(200);
      const member = await scim('get', '/Groups').query({ filter: `id eq "${id}" and members[value eq "${a.id}"]`, excludedAttributes: 'members' }).expect(200);
      expect(member.body.totalResults).toBe(1);

      await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: a.id }] }] }).expect(200);
      await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `members[value eq "${b.id}"]` }] }).expect(200);
      const newName = `${name} new`;
      const renamed = await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: newName }] }).expect(200);
      expect(renamed.body).toMatchObject({ displayName: newName, members: [] });
      expect((await scim('get', '/Groups').query({ filter: `id eq "${id}" and members[value eq "${a.id}"]` }).expect(200)).body.totalResults).toBe(0);
    });

    it('replaces a group with PUT, rejects a duplicate name and unknown members, and DELETE archives it', async () => {
      const { org, scim } = await scimSetup();
      const [a, b] = [await t.factory.newUser(org), await t.factory.newUser(org)];
      const name = `Put ${unique()}`;
      const created = await scim('post', '/Groups').send({ schemas: [GROUP], displayName: name, members: [{ value: a.id }] }).expect(201);
      const id = created.body.id as string;
      const put = await scim('put', `/Groups/${id}`).send({ schemas: [GROUP], displayName: name, members: [{ value: b.id }] }).expect(200);
      expect(put.body.members).toEqual([expect.objectContaining({ value: b.id })]);

      expectScimError(await scim('post', '/Groups').send({ schemas: [GROUP], displayName: name }), 409, 'uniqueness');
      expectScimError(await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'nope' }] }] }), 400, 'invalidValue');
      expectScimError(await scim('patch', `/Groups/${id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: randomUUID() }] }] }), 404);

      await scim('delete', `/Groups/${id}`).expect(204);
      expectScimError(await scim('get', `/Groups/${id}`), 404);
      const archived = await api(t.http).get(`/api/v1/groups/${id}`).set(bearer(org.admin)).expect(200);
      expect(archived.body.archivedAt).not.toBeNull();
      expect((await audit(org, 'group.archived'))[0]).toMatchObject({ actor: { type: 'scim' }, target: { id } });
    });

    it('only shows groups SCIM manages', async () => {
      const { org, scim } = await scimSetup();
      const own = await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name: `Local ${unique()}` }).expect(201);
      expectScimError(await scim('get', `/Groups/${own.body.id}`), 404);
      expect((await scim('get', '/Groups').expect(200)).body.totalResults).toBe(0);
    });
  });

  describe('discovery', () => {
    it('serves ServiceProviderConfig, ResourceTypes and Schemas', async () => {
      const { scim } = await scimSetup();
      const config = await scim('get', '/ServiceProviderConfig').expect(200);
      expect(config.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(config.body).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 100 },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
      });
      const types = await scim('get', '/ResourceTypes').expect(200);
      expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
      expect((await scim('get', '/ResourceTypes/User').expect(200)).body).toMatchObject({ endpoint: '/Users', schemaExtensions: [{ schema: ENTERPRISE }] });
      const schemas = await scim('get', '/Schemas').expect(200);
      expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE, GROUP]);
      expect((await scim('get', `/Schemas/${USER}`).expect(200)).body.attributes.map((a: { name: string }) => a.name)).toContain('userName');
      expectScimError(await scim('get', '/Schemas/urn:nope'), 404);
    });
  });
});
