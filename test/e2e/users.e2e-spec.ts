import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, PASSWORD, type TestOrg, type TestUser } from '../factories/factory.js';

interface UserBody {
  id: string;
  email: string;
  displayName: string;
  handle: string;
  title: string | null;
  department: string | null;
  role: string;
  status: string;
  deactivatedAt: string | null;
}

const unique = () => randomUUID().slice(0, 8);

describe('users: directory, profiles, roles and deactivation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());


  const login = (user: Pick<TestUser, 'orgSlug' | 'email'>, password = PASSWORD) =>
    api(t.http).post('/api/v1/auth/login').send({ org: user.orgSlug, email: user.email, password });

  describe('POST /api/v1/users', () => {
    it('lets an admin create a user, deriving the handle from the email, and the new user can sign in', async () => {
      const org = await t.factory.newOrg();
      const email = `bea+ops-${unique()}@${org.slug}.test`;
      const res = await api(t.http)
        .post('/api/v1/users')
        .set(bearer(org.admin))
        .send({ email, displayName: 'Bea Bloggs', title: 'Engineer', department: 'Platform', password: PASSWORD })
        .expect(201);
      expect(res.body).toMatchObject({
        email,
        displayName: 'Bea Bloggs',
        handle: email.split('@')[0].replace('+', ''),
        title: 'Engineer',
        department: 'Platform',
        role: 'member',
        status: 'active',
        deactivatedAt: null,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);

      const signIn = await login({ orgSlug: org.slug, email }).expect(200);
      expect(signIn.body.user.id).toBe(res.body.id);
    });

    it('gives the second user with the same email local part the next free handle', async () => {
      const org = await t.factory.newOrg();
      const local = `sam${unique()}`;
      const first = await api(t.http).post('/api/v1/users').set(bearer(org.admin)).send({ email: `${local}@one.test`, displayName: 'Sam One' }).expect(201);
      const second = await api(t.http).post('/api/v1/users').set(bearer(org.admin)).send({ email: `${local}@two.test`, displayName: 'Sam Two' }).expect(201);
      expect(first.body.handle).toBe(local);
      expect(second.body.handle).toBe(`${local}2`);
    });

    it('rejects a duplicate email, whatever its case, with 409 email_taken', async () => {
      const org = await t.factory.newOrg();
      const existing = await t.factory.newUser(org);
      const res = await api(t.http)
        .post('/api/v1/users')
        .set(bearer(org.admin))
        .send({ email: existing.email.toUpperCase(), displayName: 'Copy Cat' });
      expectProblem(res, 409, 'email_taken');
    });

    it('forbids members from creating users', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const email = `nope-${unique()}@${org.slug}.test`;
      const res = await api(t.http).post('/api/v1/users').set(bearer(member)).send({ email, displayName: 'Nope' });
      expectProblem(res, 403, 'forbidden');
      const search = await api(t.http).get('/api/v1/users').query({ q: email }).set(bearer(org.admin)).expect(200);
      expect(search.body.items).toHaveLength(0);
    });
  });

  describe('GET /api/v1/users', () => {
    it('pages through the directory by display name with keyset cursors, without duplicates or gaps', async () => {
      const org = await t.factory.newOrg();
      // Created out of name order, mixed case, with a tie broken by id.
      const names = ['delta', 'Charlie', 'Alpha', 'bravo', 'Charlie'];
      const created: { id: string; name: string }[] = [{ id: org.admin.id, name: 'Admin' }];
      for (const name of names) {
        const user = await t.factory.newUser(org, { displayName: name });
        created.push({ id: user.id, name });
      }
      const expected = [...created]
        .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || (a.id < b.id ? -1 : 1))
        .map((u) => u.id);

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await api(t.http)
          .get('/api/v1/users')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(bearer(org.admin))
          .expect(200);
        pageSizes.push(res.body.items.length);
        seen.push(...res.body.items.map((u: UserBody) => u.id));
        cursor = res.body.nextCursor;
      } while (cursor !== null && pageSizes.length < 10);

      expect(pageSizes).toEqual([2, 2, 2]);
      expect(seen).toEqual(expected);
    });

    it('rejects a cursor it did not issue', async () => {
      const org = await t.factory.newOrg();
      const res = await api(t.http).get('/api/v1/users').query({ cursor: 'not-a-cursor' }).set(bearer(org.admin));
      expectProblem(res, 400, 'invalid_cursor');
    });

    it('filters by q (name, email or handle, case-insensitive), status and role', async () => {
      const org = await t.factory.newOrg();
      const marker = unique();
      const byName = await t.factory.newUser(org, { displayName: `Quinn ${marker.toUpperCase()}` });
      const byEmail = await t.factory.newUser(org, { email: `ops-${marker}@${org.slug}.test`, displayName: 'Olive Ops' });
      const other = await t.factory.newUser(org, { displayName: 'Someone Else' });
      const compliance = await t.factory.newUser(org, { role: 'compliance', displayName: 'Cora Compliance' });
      const gone = await t.factory.newUser(org, { displayName: 'Gone Person' });
      await api(t.http).patch(`/api/v1/users/${gone.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);

      const ids = async (query: Record<string, string>) => {
        const res = await api(t.http).get('/api/v1/users').query(query).set(bearer(org.admin)).expect(200);
        return (res.body.items as UserBody[]).map((u) => u.id).sort();
      };

      expect(await ids({ q: marker })).toEqual([byName.id, byEmail.id].sort());
      expect(await ids({ q: `ops-${marker}` })).toEqual([byEmail.id]);
      // LIKE wildcards in q are matched literally.
      expect(await ids({ q: '%' })).toEqual([]);
      expect(await ids({ status: 'deactivated' })).toEqual([gone.id]);
      expect(await ids({ status: 'active' })).toEqual([org.admin.id, byName.id, byEmail.id, other.id, compliance.id].sort());
      expect(await ids({ role: 'compliance' })).toEqual([compliance.id]);
      expect(await ids({ role: 'admin' })).toEqual([org.admin.id]);
      expect(await ids({ role: 'member', status: 'active', q: 'o' })).toEqual([byName.id, byEmail.id, other.id].sort());
    });

    it('is readable by members too', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org, { displayName: 'Reader' });
      const res = await api(t.http).get('/api/v1/users').set(bearer(member)).expect(200);
      expect((res.body.items as UserBody[]).map((u) => u.id).sort()).toEqual([org.admin.id, member.id].sort());
    });
  });

  describe('GET /api/v1/users/:id', () => {
    it('returns a user of my org, and 404 for unknown ids, malformed ids and other orgs', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org, { displayName: 'Found Me' });
      const res = await api(t.http).get(`/api/v1/users/${member.id}`).set(bearer(org.admin)).expect(200);
      expect(res.body).toMatchObject({ id: member.id, email: member.email, displayName: 'Found Me', role: 'member', status: 'active' });
      expect(JSON.stringify(res.body)).not.toMatch(/password|orgId/i);

      const elsewhere = await t.factory.newOrg();
      for (const id of [randomUUID(), 'not-a-uuid', elsewhere.admin.id]) {
        expectProblem(await api(t.http).get(`/api/v1/users/${id}`).set(bearer(member)), 404, 'not_found');
      }
    });
  });

  describe('PATCH /api/v1/users/:id', () => {
    it('lets people edit their own profile fields', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const handle = `me${unique()}`;
      const res = await api(t.http)
        .patch(`/api/v1/users/${member.id}`)
        .set(bearer(member))
        .send({ displayName: 'New Name', handle, title: 'Lead', department: 'Design' });
      expect({ status: res.status, body: res.body }).toMatchObject({
        status: 200,
        body: { id: member.id, displayName: 'New Name', handle, title: 'Lead', department: 'Design', role: 'member' },
      });

      const cleared = await api(t.http).patch(`/api/v1/users/${member.id}`).set(bearer(member)).send({ title: null }).expect(200);
      expect(cleared.body.title).toBeNull();
      const reread = await api(t.http).get(`/api/v1/users/${member.id}`).set(bearer(org.admin)).expect(200);
      expect(reread.body).toMatchObject({ displayName: 'New Name', handle, title: null, department: 'Design' });
    });

    it('does not let people change their own role or status', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      expectProblem(await api(t.http).patch(`/api/v1/users/${member.id}`).set(bearer(member)).send({ role: 'admin' }), 403, 'forbidden');
      expectProblem(
        await api(t.http).patch(`/api/v1/users/${member.id}`).set(bearer(member)).send({ displayName: 'Sneaky', status: 'deactivated' }),
        403,
        'forbidden',
      );
      const reread = await api(t.http).get(`/api/v1/users/${member.id}`).set(bearer(member)).expect(200);
      expect(reread.body).toMatchObject({ role: 'member', status: 'active' });
      expect(reread.body.displayName).not.toBe('Sneaky');
    });

    it("does not let members edit someone else's profile", async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const victim = await t.factory.newUser(org, { displayName: 'Victim' });
      expectProblem(await api(t.http).patch(`/api/v1/users/${victim.id}`).set(bearer(member)).send({ displayName: 'Pwned' }), 404, 'not_found');
      const reread = await api(t.http).get(`/api/v1/users/${victim.id}`).set(bearer(member)).expect(200);
      expect(reread.body.displayName).toBe('Victim');
    });

    it('rejects changing an email to one already taken with 409 email_taken', async () => {
      const org = await t.factory.newOrg();
      const a = await t.factory.newUser(org);
      const b = await t.factory.newUser(org);
      expectProblem(await api(t.http).patch(`/api/v1/users/${b.id}`).set(bearer(org.admin)).send({ email: a.email }), 409, 'email_taken');
    });

    it('lets an admin change a role, effective on the next request and recorded as user.role_changed', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const newUserBody = () => ({ email: `x-${unique()}@${org.slug}.test`, displayName: 'Made By Promoted' });
      await api(t.http).post('/api/v1/users').set(bearer(member)).send(newUserBody()).expect(403);

      const res = await api(t.http).patch(`/api/v1/users/${member.id}`).set(bearer(org.admin)).send({ role: 'admin' }).expect(200);
      expect(res.body.role).toBe('admin');
      await api(t.http).post('/api/v1/users').set(bearer(member)).send(newUserBody()).expect(201);

      const audit = await api(t.http)
        .get('/api/v1/audit')
        .query({ action: 'user.role_changed', targetId: member.id })
        .set(bearer(org.admin))
        .expect(200);
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0]).toMatchObject({
        action: 'user.role_changed',
        actor: { type: 'user', id: org.admin.id },
        target: { type: 'user', id: member.id },
        data: { from: 'member', to: 'admin' },
      });
    });

    describe('deactivation', () => {
      function deactivate(org: TestOrg, user: TestUser) {
        return api(t.http).patch(`/api/v1/users/${user.id}`).set(bearer(org.admin)).send({ status: 'deactivated' });
      }

      it("immediately ends the user's sessions and API tokens, and blocks sign-in", async () => {
        const org = await t.factory.newOrg();
        const member = await t.factory.newUser(org);
        const browser = await t.factory.login(member);
        const extra = await api(t.http).post('/api/v1/tokens').set(bearer(member)).send({ name: 'ci' }).expect(201);
        const extraToken = { Authorization: `Bearer ${extra.body.token as string}` };
        await api(t.http).get('/api/v1/me').set('Cookie', browser.cookie).expect(200);
        await api(t.http).get('/api/v1/me').set(extraToken).expect(200);

        const res = await deactivate(org, member).expect(200);
        expect(res.body.status).toBe('deactivated');
        expect(res.body.deactivatedAt).toEqual(expect.any(String));

        for (const req of [
          api(t.http).get('/api/v1/me').set('Cookie', browser.cookie),
          api(t.http).get('/api/v1/me').set(bearer(member)),
          api(t.http).get('/api/v1/me').set(extraToken),
        ]) {
          expectProblem(await req, 401, 'unauthenticated');
        }
        expectProblem(await login(member), 401, 'invalid_credentials');

        const audit = await api(t.http)
          .get('/api/v1/audit')
          .query({ action: 'user.deactivated', targetId: member.id })
          .set(bearer(org.admin))
          .expect(200);
        expect(audit.body.items).toHaveLength(1);
        expect(audit.body.items[0].data).toEqual({ revoked: { sessions: 1, tokens: 2 } });
      });

      it('can be undone: a reactivated user signs in again, while the old credentials stay revoked', async () => {
        const org = await t.factory.newOrg();
        const member = await t.factory.newUser(org);
        const oldBrowser = await t.factory.login(member);
        await deactivate(org, member).expect(200);

        const res = await api(t.http).patch(`/api/v1/users/${member.id}`).set(bearer(org.admin)).send({ status: 'active' }).expect(200);
        expect(res.body).toMatchObject({ status: 'active', deactivatedAt: null });

        const browser = await t.factory.login(member);
        await api(t.http).get('/api/v1/me').set('Cookie', browser.cookie).expect(200);
        await api(t.http).get('/api/v1/me').set('Cookie', oldBrowser.cookie).expect(401);
        await api(t.http).get('/api/v1/me').set(bearer(member)).expect(401);

        const audit = await api(t.http)
          .get('/api/v1/audit')
          .query({ action: 'user.reactivated', targetId: member.id })
          .set(bearer(org.admin))
          .expect(200);
        expect(audit.body.items).toHaveLength(1);
      });
    });

    describe('the last active admin', () => {
      it('cannot demote or deactivate themselves', async () => {
        const org = await t.factory.newOrg();
        const self = `/api/v1/users/${org.admin.id}`;
        expectProblem(await api(t.http).patch(self).set(bearer(org.admin)).send({ role: 'member' }), 409, 'last_admin');
        expectProblem(await api(t.http).patch(self).set(bearer(org.admin)).send({ status: 'deactivated' }), 409, 'last_admin');
        const reread = await api(t.http).get(self).set(bearer(org.admin)).expect(200);
        expect(reread.body).toMatchObject({ role: 'admin', status: 'active' });
      });

      it('counts only active admins', async () => {
        const org = await t.factory.newOrg();
        const other = await t.factory.newUser(org, { role: 'admin' });
        await api(t.http).patch(`/api/v1/users/${other.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);
        expectProblem(
          await api(t.http).patch(`/api/v1/users/${org.admin.id}`).set(bearer(org.admin)).send({ role: 'compliance' }),
          409,
          'last_admin',
        );
      });

      it('is kept when the only two admins step down at the same moment', async () => {
        // Several rounds, because a missing lock only shows when the two requests interleave.
        for (let round = 0; round < 5; round++) {
          const org = await t.factory.newOrg();
          const other = await t.factory.newUser(org, { role: 'admin' });
          const results = await Promise.all([
            api(t.http).patch(`/api/v1/users/${org.admin.id}`).set(bearer(org.admin)).send({ role: 'member' }),
            api(t.http).patch(`/api/v1/users/${other.id}`).set(bearer(other)).send({ role: 'member' }),
          ]);
          expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
          const admins = await api(t.http).get('/api/v1/users').query({ role: 'admin', status: 'active' }).set(bearer(org.admin)).expect(200);
          expect(admins.body.items).toHaveLength(1);
        }
      });

      it('can step down once another active admin exists', async () => {
        const org = await t.factory.newOrg();
        await t.factory.newUser(org, { role: 'admin' });
        const res = await api(t.http).patch(`/api/v1/users/${org.admin.id}`).set(bearer(org.admin)).send({ role: 'member' }).expect(200);
        expect(res.body.role).toBe('member');
        // The demotion applies to the very next request.
        await api(t.http).get('/api/v1/audit').set(bearer(org.admin)).expect(403);
      });
    });
  });
});
