import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

interface Item {
  id: string;
  body: string;
  parentId: string | null;
  replyCount: number;
  version: number;
  editedAt: string | null;
  source: string;
  author: { id: string; handle: string };
  group: { id: string; name: string } | null;
  reactions: Record<string, number>;
  myReactions: string[];
}

describe('posts, threads, reactions, edits and deletes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = (user: TestUser, body: Record<string, unknown>) => api(t.http).post('/api/v1/posts').set(bearer(user)).send(body);
  const stream = async (user: TestUser, path: string): Promise<Item[]> =>
    (await api(t.http).get(`/api/v1/streams/${path}`).query({ limit: 100 }).set(bearer(user)).expect(200)).body.items;
  const group = async (owner: TestUser, visibility: 'public' | 'private', members: TestUser[] = []) => {
    const g = await api(t.http).post('/api/v1/groups').set(bearer(owner)).send({ name: `G ${Math.random()}`, visibility }).expect(201);
    for (const m of members) await api(t.http).post(`/api/v1/groups/${g.body.id}/members`).set(bearer(owner)).send({ userId: m.id }).expect(200);
    return g.body.id as string;
  };
  const postCount = async (org: TestOrg) =>
    (await t.superuser.query('SELECT count(*)::int AS n FROM post WHERE org_id = $1', [org.id])).rows[0].n as number;

  it('posts to the company stream with author, source, parsed mentions and hashtags', async () => {
    const org = await t.factory.newOrg();
    const ada = await t.factory.newUser(org, { email: `ada@${org.slug}.test` });
    const res = await post(org.admin, { body: '  Welcome @ada and @nobody!\nLaunch is #Today #today  ' }).expect(201);
    expect(res.body).toMatchObject({
      body: 'Welcome @ada and @nobody!\nLaunch is #Today #today',
      source: 'api',
      group: null,
      parentId: null,
      replyCount: 0,
      version: 1,
      author: { id: org.admin.id },
      reactions: {},
      myReactions: [],
    });
    expect((await stream(ada, 'company')).map((p) => p.id)).toEqual([res.body.id]);
    expect((await stream(ada, 'mentions')).map((p) => p.id)).toEqual([res.body.id]);
    expect((await stream(ada, 'hashtags/TODAY')).map((p) => p.id)).toEqual([res.body.id]);
    const browser = await t.factory.login(ada);
    const web = await api(t.http).post('/api/v1/posts').set('Cookie', browser.cookie).set('X-CSRF-Token', browser.csrf).send({ body: 'from the web' }).expect(201);
    expect(web.body.source).toBe('web');
  });

  it('enforces the org length limit and company-posting setting with clear errors and no writes', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    await api(t.http).patch('/api/v1/org').set(bearer(org.admin)).send({ settings: { maxPostLength: 100 } }).expect(200);
    const tooLong = await post(member, { body: 'x'.repeat(101) });
    expectProblem(tooLong, 400, 'post_too_long');
    expectProblem(await post(member, { body: '   ' }), 400, 'post_empty');
    expectProblem(await post(member, { body: 'x'.repeat(10_001) }), 400, 'validation_failed');
    expect(await postCount(org)).toBe(0);
    await post(member, { body: 'x'.repeat(100) }).expect(201);

    await api(t.http).patch('/api/v1/org').set(bearer(org.admin)).send({ settings: { companyPosting: 'admins' } }).expect(200);
    expectProblem(await post(member, { body: 'company news' }), 403, 'forbidden');
    const adminPost = await post(org.admin, { body: 'official' }).expect(201);
    await post(member, { body: 'replying is open', parentId: adminPost.body.id }).expect(201);
    expectProblem(await api(t.http).patch('/api/v1/org').set(bearer(member)).send({ settings: { maxPostLength: 5000 } }), 403, 'forbidden');
  });

  it('lets only members post in a group; private groups are invisible to others', async () => {
    const org = await t.factory.newOrg();
    const owner = await t.factory.newUser(org);
    const member = await t.factory.newUser(org);
    const outsider = await t.factory.newUser(org);
    const pub = await group(owner, 'public', [member]);
    const priv = await group(owner, 'private', [member]);
    await post(member, { body: 'in public group', groupId: pub }).expect(201);
    expectProblem(await post(outsider, { body: 'drive-by', groupId: pub }), 403, 'forbidden');
    expectProblem(await post(outsider, { body: 'sneaky', groupId: priv }), 404, 'not_found');
    expectProblem(await post(org.admin, { body: 'admin not a member', groupId: priv }), 404, 'not_found');
    expectProblem(await post(member, { body: 'no such group', groupId: '00000000-0000-4000-8000-000000000000' }), 404, 'not_found');
    await api(t.http).patch(`/api/v1/groups/${pub}`).set(bearer(owner)).send({ archived: true }).expect(200);
    expectProblem(await post(member, { body: 'too late', groupId: pub }), 409, 'group_archived');
  });

  it('threads replies one level deep, counts them, and shows them oldest first', async () => {
    const org = await t.factory.newOrg();
    const bob = await t.factory.newUser(org);
    const root = (await post(org.admin, { body: 'Question?' }).expect(201)).body as Item;
    const r1 = (await post(bob, { body: 'Answer 1', parentId: root.id }).expect(201)).body as Item;
    const r2 = (await post(org.admin, { body: 'Reply to the reply', parentId: r1.id }).expect(201)).body as Item;
    expect(r1.parentId).toBe(root.id);
    expect(r2.parentId).toBe(root.id);

    const thread = await api(t.http).get(`/api/v1/posts/${r1.id}/thread`).set(bearer(bob)).expect(200);
    expect(thread.body.root).toMatchObject({ id: root.id, replyCount: 2 });
    expect(thread.body.items.map((p: Item) => p.id)).toEqual([r1.id, r2.id]);
    const page1 = await api(t.http).get(`/api/v1/posts/${root.id}/thread?limit=1`).set(bearer(bob)).expect(200);
    const page2 = await api(t.http).get(`/api/v1/posts/${root.id}/thread?limit=1&cursor=${page1.body.nextCursor as string}`).set(bearer(bob)).expect(200);
    expect([...page1.body.items, ...page2.body.items].map((p: Item) => p.id)).toEqual([r1.id, r2.id]);
    expect(page2.body.nextCursor).toBeNull();

    // Streams show conversations (roots), not replies.
    expect((await stream(bob, 'company')).map((p) => p.id)).toEqual([root.id]);
    const g = await group(org.admin, 'public');
    expectProblem(await post(org.admin, { body: 'wrong group', parentId: root.id, groupId: g }), 400, 'reply_group_mismatch');
  });

  it('keeps every version on edit; only the author edits; versions for author, admins and compliance', async () => {
    const org = await t.factory.newOrg();
    const author = await t.factory.newUser(org);
    const other = await t.factory.newUser(org);
    const officer = await t.factory.newUser(org, { role: 'compliance' });
    const p = (await post(author, { body: 'First draft #draft' }).expect(201)).body as Item;
    const edited = await api(t.http).patch(`/api/v1/posts/${p.id}`).set(bearer(author)).send({ body: 'Final text #final' }).expect(200);
    expect(edited.body).toMatchObject({ body: 'Final text #final', version: 2, editedAt: expect.any(String) });
    expectProblem(await api(t.http).patch(`/api/v1/posts/${p.id}`).set(bearer(other)).send({ body: 'hijack' }), 403, 'forbidden');
    expectProblem(await api(t.http).patch(`/api/v1/posts/${p.id}`).set(bearer(org.admin)).send({ body: 'admin rewrite' }), 403, 'forbidden');

    for (const reader of [author, org.admin, officer]) {
      const versions = await api(t.http).get(`/api/v1/posts/${p.id}/versions`).set(bearer(reader)).expect(200);
      expect(versions.body.items.map((v: { version: number; body: string }) => [v.version, v.body])).toEqual([
        [1, 'First draft #draft'],
        [2, 'Final text #final'],
      ]);
    }
    expectProblem(await api(t.http).get(`/api/v1/posts/${p.id}/versions`).set(bearer(other)), 403, 'forbidden');
    expect(await stream(other, 'hashtags/draft')).toEqual([]);
    expect((await stream(other, 'hashtags/final')).map((x) => x.id)).toEqual([p.id]);
  });

  it('an edit sets mentions and hashtags to exactly those of the new text: kept, dropped and added', async () => {
    const org = await t.factory.newOrg();
    const author = await t.factory.newUser(org);
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => t.factory.newUser(org, { email: `${n}@${org.slug}.test` })));
    const p = (await post(author, { body: 'Hi @alice @bob #one #two' }).expect(201)).body as Item;
    const refs = async () => ({
      mentions: (await t.superuser.query('SELECT user_id, created_at = (SELECT created_at FROM post WHERE id = $2) AS same FROM post_mention WHERE org_id = $1 AND post_id = $2 ORDER BY user_id', [org.id, p.id])).rows,
      tags: (await t.superuser.query('SELECT tag FROM post_hashtag WHERE org_id = $1 AND post_id = $2 ORDER BY tag', [org.id, p.id])).rows.map((r) => r.tag),
    });
    const sorted = (...users: TestUser[]) => users.map((u) => ({ user_id: u.id, same: true })).sort((a, b) => a.user_id.localeCompare(b.user_id));
    expect(await refs()).toEqual({ mentions: sorted(alice, bob), tags: ['one', 'two'] });
    await api(t.http).patch(`/api/v1/posts/${p.id}`).set(bearer(author)).send({ body: 'Hi @bob @carol #two #three' }).expect(200);
    expect(await refs()).toEqual({ mentions: sorted(bob, carol), tags: ['three', 'two'] });
    expect(await stream(author, 'hashtags/one')).toEqual([]);
    expect((await stream(author, 'hashtags/three')).map((x) => x.id)).toEqual([p.id]);
    await api(t.http).patch(`/api/v1/posts/${p.id}`).set(bearer(author)).send({ body: 'No one, no tags' }).expect(200);
    expect(await refs()).toEqual({ mentions: [], tags: [] });
  });

  it('deletes hide a post everywhere at once, keep its content, and moderator deletes are audited', async () => {
    const org = await t.factory.newOrg();
    const author = await t.factory.newUser(org, { email: `author@${org.slug}.test` });
    const reader = await t.factory.newUser(org);
    const p = (await post(author, { body: 'Oops @author #oops' }).expect(201)).body as Item;
    const reply = (await post(reader, { body: 'ha', parentId: p.id }).expect(201)).body as Item;
    expectProblem(await api(t.http).delete(`/api/v1/posts/${p.id}`).set(bearer(reader)), 403, 'forbidden');
    await api(t.http).delete(`/api/v1/posts/${p.id}`).set(bearer(org.admin)).expect(204);

    expectProblem(await api(t.http).get(`/api/v1/posts/${p.id}`).set(bearer(reader)), 404, 'not_found');
    expectProblem(await api(t.http).get(`/api/v1/posts/${reply.id}/thread`).set(bearer(reader)), 404, 'not_found');
    for (const path of ['company', 'hashtags/oops', `users/${author.id}`, 'home']) expect(await stream(reader, path)).toEqual([]);
    expect(await stream(author, 'mentions')).toEqual([]);
    expectProblem(await post(reader, { body: 'late reply', parentId: p.id }), 404, 'not_found');
    expectProblem(await api(t.http).delete(`/api/v1/posts/${p.id}`).set(bearer(author)), 404, 'not_found');

    const kept = await t.superuser.query('SELECT body, deleted_at FROM post WHERE org_id = $1 AND id = $2', [org.id, p.id]);
    expect(kept.rows[0].body).toBe('Oops @author #oops');
    const audit = await api(t.http).get('/api/v1/audit?action=post.deleted_by_moderator').set(bearer(org.admin)).expect(200);
    expect(audit.body.items[0].target).toEqual({ type: 'post', id: p.id });
  });

  it('counts reactions per kind, one of each per user, with my reactions', async () => {
    const org = await t.factory.newOrg();
    const a = await t.factory.newUser(org);
    const b = await t.factory.newUser(org);
    const p = (await post(a, { body: 'React to me' }).expect(201)).body as Item;
    await api(t.http).post(`/api/v1/posts/${p.id}/reactions/like`).set(bearer(a)).expect(200);
    await api(t.http).post(`/api/v1/posts/${p.id}/reactions/like`).set(bearer(a)).expect(200);
    await api(t.http).post(`/api/v1/posts/${p.id}/reactions/celebrate`).set(bearer(a)).expect(200);
    const res = await api(t.http).post(`/api/v1/posts/${p.id}/reactions/like`).set(bearer(b)).expect(200);
    expect(res.body).toMatchObject({ reactions: { like: 2, celebrate: 1 }, myReactions: ['like'] });
    const [item] = await stream(a, 'company');
    expect(item).toMatchObject({ reactions: { like: 2, celebrate: 1 }, myReactions: ['celebrate', 'like'] });
    const removed = await api(t.http).delete(`/api/v1/posts/${p.id}/reactions/like`).set(bearer(a)).expect(200);
    expect(removed.body).toMatchObject({ reactions: { like: 1, celebrate: 1 }, myReactions: ['celebrate'] });
    expectProblem(await api(t.http).post(`/api/v1/posts/${p.id}/reactions/angry`).set(bearer(a)), 400, 'validation_failed');
  });

  it('pins announcements at the top of their stream until unpinned; owners in their group, admins company-wide', async () => {
    const org = await t.factory.newOrg();
    const owner = await t.factory.newUser(org);
    const member = await t.factory.newUser(org);
    const g = await group(owner, 'public', [member]);
    const news = (await post(org.admin, { body: 'Company announcement', announcement: true }).expect(201)).body as Item & { pinnedAt: string };
    expect(news.pinnedAt).toEqual(expect.any(String));
    await post(member, { body: 'later company chatter' }).expect(201);
    expectProblem(await post(member, { body: 'self-promotion', announcement: true }), 403, 'forbidden');
    const groupPost = (await post(member, { body: 'group update', groupId: g }).expect(201)).body as Item;
    expectProblem(await api(t.http).post(`/api/v1/posts/${groupPost.id}/pin`).set(bearer(member)), 403, 'forbidden');
    await api(t.http).post(`/api/v1/posts/${groupPost.id}/pin`).set(bearer(owner)).expect(200);
    const reply = (await post(member, { body: 'a reply', parentId: groupPost.id }).expect(201)).body as Item;
    expectProblem(await api(t.http).post(`/api/v1/posts/${reply.id}/pin`).set(bearer(org.admin)), 400, 'announcement_must_be_root');

    const company = await api(t.http).get('/api/v1/streams/company?limit=1').set(bearer(member)).expect(200);
    expect(company.body.pinned.map((p: Item) => p.body)).toEqual(['Company announcement']);
    expect(company.body.items.map((p: Item) => p.body)).toEqual(['later company chatter']);
    const next = await api(t.http).get(`/api/v1/streams/company?limit=1&cursor=${company.body.nextCursor as string}`).set(bearer(member)).expect(200);
    expect(next.body.pinned).toBeUndefined();
    const groupStream = await api(t.http).get(`/api/v1/streams/groups/${g}`).set(bearer(member)).expect(200);
    expect(groupStream.body.pinned.map((p: Item) => p.body)).toEqual(['group update']);
    const home = await api(t.http).get('/api/v1/streams/home').set(bearer(member)).expect(200);
    expect(home.body.pinned.map((p: Item) => p.body).sort()).toEqual(['Company announcement', 'group update']);

    await api(t.http).delete(`/api/v1/posts/${news.id}/pin`).set(bearer(org.admin)).expect(200);
    const after = await api(t.http).get('/api/v1/streams/company').set(bearer(member)).expect(200);
    expect(after.body.pinned).toEqual([]);
  });
});
