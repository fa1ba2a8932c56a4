import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestUser } from '../factories/factory.js';

interface Note {
  id: string;
  kind: string;
  detail: string | null;
  readAt: string | null;
  actor: { id: string };
  post: { id: string; excerpt: string };
}

describe('in-app notifications', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = async (user: TestUser, body: Record<string, unknown>) =>
    (await api(t.http).post('/api/v1/posts').set(bearer(user)).send(body).expect(201)).body as { id: string };
  const inbox = async (user: TestUser, query = '') =>
    (await api(t.http).get(`/api/v1/notifications${query}`).set(bearer(user)).expect(200)).body.items as Note[];
  const unread = async (user: TestUser) => (await api(t.http).get('/api/v1/notifications/unread-count').set(bearer(user)).expect(200)).body.count as number;

  it('notifies mentions, replies to my posts and reactions to my posts, once each, never myself', async () => {
    const org = await t.factory.newOrg();
    const ada = await t.factory.newUser(org, { email: `ada@${org.slug}.test` });
    const bob = await t.factory.newUser(org);
    const root = await post(ada, { body: 'My launch plan, thoughts? @ada' });
    await post(bob, { body: 'Looks good @ada', parentId: root.id });
    await api(t.http).post(`/api/v1/posts/${root.id}/reactions/like`).set(bearer(bob)).expect(200);
    await api(t.http).delete(`/api/v1/posts/${root.id}/reactions/like`).set(bearer(bob)).expect(200);
    await api(t.http).post(`/api/v1/posts/${root.id}/reactions/like`).set(bearer(bob)).expect(200);
    await api(t.http).post(`/api/v1/posts/${root.id}/reactions/like`).set(bearer(ada)).expect(200);

    const notes = await inbox(ada);
    expect(notes.map((n) => [n.kind, n.detail, n.actor.id]).sort()).toEqual(
      [
        ['mention', null, bob.id],
        ['reaction', 'like', bob.id],
        ['reply', null, bob.id],
      ].sort(),
    );
    expect(await unread(ada)).toBe(3);
    expect(await inbox(bob)).toEqual([]);
  });

  it('marks some or all read, and lists unread only on request', async () => {
    const org = await t.factory.newOrg();
    const ada = await t.factory.newUser(org, { email: `ada@${org.slug}.test` });
    const bob = await t.factory.newUser(org);
    for (let i = 0; i < 3; i++) await post(bob, { body: `ping ${i} @ada` });
    const [first] = await inbox(ada);
    await api(t.http).post('/api/v1/notifications/read').set(bearer(ada)).send({ ids: [first.id] }).expect(200);
    expect(await unread(ada)).toBe(2);
    expect((await inbox(ada, '?unread=true')).map((n) => n.id)).not.toContain(first.id);
    expect((await api(t.http).post('/api/v1/notifications/read').set(bearer(ada)).send({ all: true }).expect(200)).body).toEqual({ updated: 2 });
    expect(await unread(ada)).toBe(0);
    // Someone else's notification ids do nothing.
    expect((await api(t.http).post('/api/v1/notifications/read').set(bearer(bob)).send({ ids: [first.id] }).expect(200)).body).toEqual({ updated: 0 });
    expectProblem(await api(t.http).post('/api/v1/notifications/read').set(bearer(ada)).send({}), 400, 'ids_or_all');
    expectProblem(await api(t.http).post('/api/v1/notifications/read').set(bearer(ada)).send({ ids: ['nope'] }), 400, 'validation_failed');
  });

  it('never notifies people who cannot see the post, and hides notes about deleted posts', async () => {
    const org = await t.factory.newOrg();
    const insider = await t.factory.newUser(org);
    const outsider = await t.factory.newUser(org, { email: `out@${org.slug}.test` });
    const g = await api(t.http).post('/api/v1/groups').set(bearer(insider)).send({ name: 'Secret', visibility: 'private' }).expect(201);
    await post(insider, { body: 'psst @out', groupId: g.body.id });
    expect(await inbox(outsider)).toEqual([]);
    expect(await unread(outsider)).toBe(0);

    const p = await post(insider, { body: 'public hello @out' });
    expect(await unread(outsider)).toBe(1);
    await api(t.http).delete(`/api/v1/posts/${p.id}`).set(bearer(insider)).expect(204);
    expect(await unread(outsider)).toBe(0);
    expect(await inbox(outsider)).toEqual([]);
  });
});
