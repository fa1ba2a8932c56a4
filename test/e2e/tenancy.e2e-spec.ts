import { asAppRole } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer } from '../factories/factory.js';

describe('tenancy: one org can never see another', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function twoOrgs() {
    const a = await t.factory.newOrg();
    const b = await t.factory.newOrg();
    const aMember = await t.factory.newUser(a, { displayName: 'Secret Alice' });
    const group = await api(t.http).post('/api/v1/groups').set(bearer(a.admin)).send({ name: 'A-only' }).expect(201);
    const token = await api(t.http).post('/api/v1/tokens').set(bearer(aMember)).send({ name: 'a-token' }).expect(201);
    return { a, b, aMember, groupId: group.body.id as string, tokenId: token.body.id as string };
  }

  it("answers 404 for another org's objects by id, for reads and writes", async () => {
    const { b, aMember, groupId, tokenId } = await twoOrgs();
    const asB = bearer(b.admin);
    const reads = [`/api/v1/users/${aMember.id}`, `/api/v1/groups/${groupId}`, `/api/v1/groups/${groupId}/members`];
    for (const path of reads) {
      const res = await api(t.http).get(path).set(asB).expect(404);
      expect(res.body.code).toBe('not_found');
    }
    await api(t.http).patch(`/api/v1/users/${aMember.id}`).set(asB).send({ status: 'deactivated' }).expect(404);
    await api(t.http).patch(`/api/v1/groups/${groupId}`).set(asB).send({ name: 'hijacked' }).expect(404);
    await api(t.http).post(`/api/v1/groups/${groupId}/join`).set(asB).expect(404);
    await api(t.http).post(`/api/v1/groups/${groupId}/members`).set(asB).send({ userId: b.admin.id }).expect(404);
    await api(t.http).delete(`/api/v1/tokens/${tokenId}`).set(asB).expect(404);

    // Nothing changed in org A.
    const user = await api(t.http).get(`/api/v1/users/${aMember.id}`).set(bearer(aMember)).expect(200);
    expect(user.body.status).toBe('active');
    await api(t.http).get('/api/v1/me').set(bearer(aMember)).expect(200);
  });

  it("never lists another org's rows, whatever the query", async () => {
    const { a, b } = await twoOrgs();
    const asB = bearer(b.admin);
    for (const q of ['Secret', "' OR 1=1 --", '%', '_', `${a.slug}`]) {
      const users = await api(t.http).get('/api/v1/users').query({ q }).set(asB).expect(200);
      expect(users.body.items.every((u: { email: string }) => u.email.endsWith(`@${b.slug}.test`))).toBe(true);
      const groups = await api(t.http).get('/api/v1/groups').query({ q }).set(asB).expect(200);
      expect(groups.body.items).toHaveLength(0);
    }
    const audit = await api(t.http).get('/api/v1/audit').query({ limit: 100 }).set(asB).expect(200);
    expect(audit.body.items.length).toBeGreaterThan(0);
    const ids = new Set([a.admin.id]);
    expect(audit.body.items.some((e: { actor: { id: string } }) => ids.has(e.actor.id))).toBe(false);
  });

  it("an org's admin cannot log in to another org with their credentials", async () => {
    const { a, b } = await twoOrgs();
    const res = await api(t.http).post('/api/v1/auth/login').send({ org: b.slug, email: a.admin.email, password: 'test-password-123' });
    expect(res.status).toBe(401);
  });

  describe('row-level security in the database itself', () => {
    it('a query that forgot its org scope returns nothing', async () => {
      const { a } = await twoOrgs();
      const total = await t.superuser.query('SELECT count(*)::int AS n FROM user_account');
      expect(total.rows[0].n).toBeGreaterThan(0);
      for (const table of ['org', 'user_account', 'user_session', 'api_token', 'org_group', 'group_membership', 'audit_event']) {
        const rows = await asAppRole<{ n: number }>(t.superuser, null, `SELECT count(*)::int AS n FROM ${table}`);
        expect({ table, n: rows[0].n }).toEqual({ table, n: 0 });
      }
      const scoped = await asAppRole<{ n: number }>(t.superuser, a.id, 'SELECT count(*)::int AS n FROM user_account');
      expect(scoped[0].n).toBe(2);
    });

    it('an unfiltered query inside org A sees only org A, and cannot write into org B', async () => {
      const { a, b } = await twoOrgs();
      const rows = await asAppRole<{ org_id: string }>(t.superuser, a.id, 'SELECT DISTINCT org_id FROM user_account');
      expect(rows).toEqual([{ org_id: a.id }]);
      await expect(
        asAppRole(t.superuser, a.id, `INSERT INTO org_group (org_id, name, visibility) VALUES ($1, 'smuggled', 'public')`, [b.id]),
      ).rejects.toThrow(/row-level security/);
      const updated = await asAppRole<{ id: string }>(t.superuser, a.id, `UPDATE user_account SET title = 'pwned' WHERE org_id = $1 RETURNING id`, [b.id]);
      expect(updated).toHaveLength(0);
    });

    it('the runtime role owns nothing and cannot bypass RLS', async () => {
      const role = await t.superuser.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'chorus_app'`);
      expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
      const owned = await t.superuser.query(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'chorus_app'`,
      );
      expect(owned.rows[0].n).toBe(0);
      const unprotected = await t.superuser.query(
        `SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id'
         WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND NOT c.relrowsecurity`,
      );
      expect(unprotected.rows).toEqual([]);
    });

    it('the app really runs its queries as chorus_app', async () => {
      const { a } = await twoOrgs();
      const res = await api(t.http).get('/api/v1/me').set(bearer(a.admin)).expect(200);
      expect(res.body.user.id).toBe(a.admin.id);
      const { DataSource } = await import('typeorm');
      const ds = t.app.get(DataSource);
      const who = await ds.query('SELECT current_user AS u');
      expect(who[0].u).toBe('chorus_app');
    });
  });
});
