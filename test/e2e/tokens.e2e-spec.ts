import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestUser } from '../factories/factory.js';

interface TokenBody {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  token?: string;
}

const withSecret = (secret: string) => ({ Authorization: `Bearer ${secret}` });

describe('personal API tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());


  const createToken = async (user: TestUser, body: Record<string, unknown> = { name: `ci-${randomUUID().slice(0, 8)}` }) => {
    const res = await api(t.http).post('/api/v1/tokens').set(bearer(user)).send(body).expect(201);
    return res.body as TokenBody & { token: string };
  };

  const myTokens = async (user: TestUser) => {
    const res = await api(t.http).get('/api/v1/tokens').set(bearer(user)).expect(200);
    return res.body.items as TokenBody[];
  };

  it('returns the secret once, at creation, with a visible prefix of its first 12 characters', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    const created = await createToken(member, { name: 'deploy bot' });
    expect(created).toMatchObject({ name: 'deploy bot', expiresAt: null, lastUsedAt: null, revokedAt: null });
    expect(created.token.startsWith('chorus_')).toBe(true);
    expect(created.token.length).toBeGreaterThan(20);
    expect(created.prefix).toBe(created.token.slice(0, 12));

    const again = await createToken(member, { name: 'deploy bot' });
    expect(again.token).not.toBe(created.token);
  });

  it('never shows a secret in the token list, and lists only my own tokens', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    const created = await createToken(member);
    const res = await api(t.http).get('/api/v1/tokens').set(bearer(member)).expect(200);
    const items = res.body.items as TokenBody[];
    // The factory's token and this one.
    expect(items).toHaveLength(2);
    expect(items.find((i) => i.id === created.id)).toMatchObject({ prefix: created.prefix, name: created.name });
    for (const item of items) expect(item).not.toHaveProperty('token');
    expect(JSON.stringify(res.body)).not.toContain(created.token);
    expect(JSON.stringify(res.body)).not.toContain(member.token);

    const adminList = await myTokens(org.admin);
    expect(adminList.map((i) => i.id)).not.toContain(created.id);
  });

  it('pages through my tokens, newest first, without duplicates or gaps', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    for (let i = 0; i < 4; i++) await createToken(member, { name: `t${i}` });
    const all = await myTokens(member);
    expect(all).toHaveLength(5);
    const createdAt = all.map((i) => Date.parse(i.createdAt));
    expect([...createdAt].sort((a, b) => b - a)).toEqual(createdAt);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await api(t.http)
        .get('/api/v1/tokens')
        .query(cursor ? { limit: 2, cursor } : { limit: 2 })
        .set(bearer(member))
        .expect(200);
      seen.push(...(res.body.items as TokenBody[]).map((i) => i.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all.map((i) => i.id));
  });

  it('authenticates bearer requests as its owner and records when it was last used', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    const created = await createToken(member);
    const me = await api(t.http).get('/api/v1/me').set(withSecret(created.token)).expect(200);
    expect(me.body).toMatchObject({ user: { id: member.id }, authMethod: 'token' });

    const listed = (await myTokens(member)).find((i) => i.id === created.id)!;
    expect(listed.lastUsedAt).toEqual(expect.any(String));
    expect(Date.parse(listed.lastUsedAt!)).toBeGreaterThanOrEqual(Date.parse(created.createdAt));
  });

  it('stops working once revoked, and shows as revoked', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    const created = await createToken(member);
    await api(t.http).get('/api/v1/me').set(withSecret(created.token)).expect(200);

    await api(t.http).delete(`/api/v1/tokens/${created.id}`).set(bearer(member)).expect(204);
    expectProblem(await api(t.http).get('/api/v1/me').set(withSecret(created.token)), 401, 'unauthenticated');
    const listed = (await myTokens(member)).find((i) => i.id === created.id)!;
    expect(listed.revokedAt).toEqual(expect.any(String));
    // Revoking one token leaves the others alone.
    await api(t.http).get('/api/v1/me').set(bearer(member)).expect(200);

    const audit = await api(t.http).get('/api/v1/audit').query({ action: 'token.revoked', targetId: created.id }).set(bearer(org.admin)).expect(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ actor: { id: member.id }, data: { userId: member.id } });
  });

  it('can revoke a token it is authenticated with', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    const created = await createToken(member);
    await api(t.http).delete(`/api/v1/tokens/${created.id}`).set(withSecret(created.token)).expect(204);
    await api(t.http).get('/api/v1/me').set(withSecret(created.token)).expect(401);
  });

  describe('expiry', () => {
    it('rejects an expiry in the past at creation', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const before = await myTokens(member);
      const res = await api(t.http)
        .post('/api/v1/tokens')
        .set(bearer(member))
        .send({ name: 'stale', expiresAt: new Date(Date.now() - 60_000).toISOString() });
      expectProblem(res, 400, 'invalid_expiry');
      expect(await myTokens(member)).toHaveLength(before.length);
    });

    it('rejects an expiry that is not a date', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      expectProblem(
        await api(t.http).post('/api/v1/tokens').set(bearer(member)).send({ name: 'bad', expiresAt: 'next tuesday' }),
        400,
        'validation_failed',
      );
    });

    it('accepts a future expiry, and the token stops working once it has passed', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const expiresAt = new Date(Date.now() + 3600_000);
      const created = await createToken(member, { name: 'short-lived', expiresAt: expiresAt.toISOString() });
      expect(Date.parse(created.expiresAt!)).toBe(expiresAt.getTime());
      await api(t.http).get('/api/v1/me').set(withSecret(created.token)).expect(200);

      await t.superuser.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE org_id = $1 AND id = $2`, [org.id, created.id]);
      expectProblem(await api(t.http).get('/api/v1/me').set(withSecret(created.token)), 401, 'unauthenticated');
    });
  });

  describe('revoking tokens of other people', () => {
    it("is not possible for a member: another member's token is not found, and keeps working", async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const other = await t.factory.newUser(org);
      const created = await createToken(owner);
      expectProblem(await api(t.http).delete(`/api/v1/tokens/${created.id}`).set(bearer(other)), 404, 'not_found');
      await api(t.http).get('/api/v1/me').set(withSecret(created.token)).expect(200);
    });

    it('is possible for an admin', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const created = await createToken(owner);
      await api(t.http).delete(`/api/v1/tokens/${created.id}`).set(bearer(org.admin)).expect(204);
      expectProblem(await api(t.http).get('/api/v1/me').set(withSecret(created.token)), 401, 'unauthenticated');
    });

    it('is not possible for an admin of another org', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const created = await createToken(owner);
      const elsewhere = await t.factory.newOrg();
      expectProblem(await api(t.http).delete(`/api/v1/tokens/${created.id}`).set(bearer(elsewhere.admin)), 404, 'not_found');
      await api(t.http).get('/api/v1/me').set(withSecret(created.token)).expect(200);
    });

    it('answers 404 for unknown and malformed token ids', async () => {
      const org = await t.factory.newOrg();
      expectProblem(await api(t.http).delete(`/api/v1/tokens/${randomUUID()}`).set(bearer(org.admin)), 404, 'not_found');
      expectProblem(await api(t.http).delete('/api/v1/tokens/not-a-uuid').set(bearer(org.admin)), 404, 'not_found');
    });
  });

  describe('the Authorization header', () => {
    it('must be "Bearer <token>"; anything else is 401 problem+json', async () => {
      for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer short', `Bearer ${'x'.repeat(30)} extra`, 'Token chorus_abcdefghijklmnopqrstuvwxyz']) {
        const res = await api(t.http).get('/api/v1/me').set('Authorization', header);
        expectProblem(res, 401, 'unauthenticated');
      }
    });

    it('rejects a well-formed token that was never issued', async () => {
      expectProblem(await api(t.http).get('/api/v1/me').set(withSecret(`chorus_${'a'.repeat(43)}`)), 401, 'unauthenticated');
    });

    it('is not ignored in favour of a valid session cookie', async () => {
      const org = await t.factory.newOrg();
      const browser = await t.factory.login(org.admin);
      await api(t.http).get('/api/v1/me').set('Cookie', browser.cookie).expect(200);
      const res = await api(t.http).get('/api/v1/me').set('Cookie', browser.cookie).set('Authorization', 'Basic dXNlcjpwYXNz');
      expectProblem(res, 401, 'unauthenticated');
    });

    it('is required: no credentials at all is 401', async () => {
      expectProblem(await api(t.http).get('/api/v1/tokens'), 401, 'unauthenticated');
    });
  });
});
