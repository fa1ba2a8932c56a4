import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

interface Item {
  id: string;
  body: string;
}

describe('streams: content, order, pagination and visibility', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = async (user: TestUser, body: string, extra: Record<string, unknown> = {}) =>
    (await api(t.http).post('/api/v1/posts').set(bearer(user)).send({ body, ...extra }).expect(201)).body as Item;
  const ids = async (user: TestUser, path: string) =>
    ((await api(t.http).get(`/api/v1/streams/${path}`).query({ limit: 100 }).set(bearer(user)).expect(200)).body.items as Item[]).map((p) => p.body);
  const newGroup = async (owner: TestUser, visibility: 'public' | 'private', members: TestUser[] = []) => {
    const g = await api(t.http).post('/api/v1/groups').set(bearer(owner)).send({ name: `G ${Math.random()}`, visibility }).expect(201);
    for (const m of members) await api(t.http).post(`/api/v1/groups/${g.body.id}/members`).set(bearer(owner)).send({ userId: m.id }).expect(200);
    return g.body.id as string;
  };

  it('home = company + my groups + people I follow + posts mentioning me, newest first', async () => {
    const org = await t.factory.newOrg();
    const me = await t.factory.newUser(org, { email: `me@${org.slug}.test` });
    const friend = await t.factory.newUser(org);
    const stranger = await t.factory.newUser(org);
    const mine = await newGroup(stranger, 'public', [me]);
    const notMine = await newGroup(stranger, 'public', [friend]);
    const friendsPrivate = await newGroup(friend, 'private');

    await post(stranger, 'company post');
    await post(stranger, 'in my group', { groupId: mine });
    await post(stranger, 'in a group I am not in', { groupId: notMine });
    await post(friend, 'friend in a public group', { groupId: notMine });
    await post(friend, 'friend in a private group without me', { groupId: friendsPrivate });
    await post(stranger, 'hey @me', { groupId: notMine });
    expect((await api(t.http).get(`/api/v1/users/${friend.id}/follow`).set(bearer(me)).expect(200)).body).toEqual({ following: false, followers: 0, followees: 0 });
    await api(t.http).post(`/api/v1/users/${friend.id}/follow`).set(bearer(me)).expect(204);
    await api(t.http).post(`/api/v1/users/${friend.id}/follow`).set(bearer(me)).expect(204);
    expect((await api(t.http).get(`/api/v1/users/${friend.id}/follow`).set(bearer(me)).expect(200)).body).toEqual({ following: true, followers: 1, followees: 0 });

    expect(await ids(me, 'home')).toEqual(['hey @me', 'friend in a public group', 'in my group', 'company post']);
    await api(t.http).delete(`/api/v1/users/${friend.id}/follow`).set(bearer(me)).expect(204);
    expect(await ids(me, 'home')).toEqual(['hey @me', 'in my group', 'company post']);
    expectProblem(await api(t.http).post(`/api/v1/users/${me.id}/follow`).set(bearer(me)), 400, 'cannot_follow_self');
  });

  it('group, user, hashtag and mention streams hold exactly their posts', async () => {
    const org = await t.factory.newOrg();
    const a = await t.factory.newUser(org, { email: `alpha@${org.slug}.test` });
    const b = await t.factory.newUser(org);
    const g = await newGroup(a, 'public', [b]);
    await post(a, 'a company #news');
    await post(b, 'b in group #news @alpha', { groupId: g });
    await post(a, 'a in group', { groupId: g });
    expect(await ids(b, `groups/${g}`)).toEqual(['a in group', 'b in group #news @alpha']);
    expect(await ids(b, `users/${a.id}`)).toEqual(['a in group', 'a company #news']);
    expect(await ids(b, 'hashtags/news')).toEqual(['b in group #news @alpha', 'a company #news']);
    expect(await ids(a, 'mentions')).toEqual(['b in group #news @alpha']);
    expect(await ids(b, 'mentions')).toEqual([]);
  });

  it('never shows a private group’s posts to non-members on any read path', async () => {
    const org = await t.factory.newOrg();
    const insider = await t.factory.newUser(org);
    const outsider = await t.factory.newUser(org, { email: `out@${org.slug}.test` });
    const secret = await newGroup(insider, 'private');
    const p = await post(insider, 'secret plan #secret @out', { groupId: secret });
    await post(insider, 'secret reply', { parentId: p.id });
    await api(t.http).post(`/api/v1/users/${insider.id}/follow`).set(bearer(outsider)).expect(204);

    for (const viewer of [outsider, org.admin]) {
      for (const path of ['company', 'home', 'mentions', 'hashtags/secret', `users/${insider.id}`]) expect(await ids(viewer, path)).toEqual([]);
      expectProblem(await api(t.http).get(`/api/v1/streams/groups/${secret}`).set(bearer(viewer)), 404, 'not_found');
      expectProblem(await api(t.http).get(`/api/v1/posts/${p.id}`).set(bearer(viewer)), 404, 'not_found');
      expectProblem(await api(t.http).get(`/api/v1/posts/${p.id}/thread`).set(bearer(viewer)), 404, 'not_found');
      expectProblem(await api(t.http).post(`/api/v1/posts/${p.id}/reactions/like`).set(bearer(viewer)), 404, 'not_found');
      expectProblem(await api(t.http).post('/api/v1/posts').set(bearer(viewer)).send({ body: 'x', parentId: p.id }), 404, 'not_found');
    }
    expect(await ids(insider, `groups/${secret}`)).toEqual(['secret plan #secret @out']);
  });

  it("answers 404 for another org's posts, groups and users", async () => {
    const a = await t.factory.newOrg();
    const b = await t.factory.newOrg();
    const p = await post(a.admin, 'org A only');
    const g = await newGroup(a.admin, 'public');
    for (const path of [`/api/v1/posts/${p.id}`, `/api/v1/posts/${p.id}/thread`, `/api/v1/streams/groups/${g}`, `/api/v1/streams/users/${a.admin.id}`]) {
      expectProblem(await api(t.http).get(path).set(bearer(b.admin)), 404, 'not_found');
    }
    expectProblem(await api(t.http).post('/api/v1/posts').set(bearer(b.admin)).send({ body: 'cross-org reply', parentId: p.id }), 404, 'not_found');
    expectProblem(await api(t.http).post(`/api/v1/users/${a.admin.id}/follow`).set(bearer(b.admin)), 404, 'not_found');
    expect(await ids(b.admin, 'company')).toEqual([]);
  });

  it('pages with stable cursors: no gaps or duplicates while new posts arrive', async () => {
    const org: TestOrg = await t.factory.newOrg();
    const reader = await t.factory.newUser(org);
    for (let i = 1; i <= 7; i++) await post(org.admin, `post ${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await api(t.http)
        .get('/api/v1/streams/company')
        .query(cursor ? { limit: 3, cursor } : { limit: 3 })
        .set(bearer(reader))
        .expect(200);
      seen.push(...res.body.items.map((p) => p.body));
      cursor = res.body.nextCursor;
      if (page++ === 0) await post(org.admin, 'arrived while paging');
    } while (cursor);
    expect(seen).toEqual(['post 7', 'post 6', 'post 5', 'post 4', 'post 3', 'post 2', 'post 1']);
    expectProblem(await api(t.http).get('/api/v1/streams/company?cursor=abc').set(bearer(reader)), 400, 'invalid_cursor');
    const forged = Buffer.from(JSON.stringify(["'; DROP TABLE post; --", 'x'])).toString('base64url');
    expectProblem(await api(t.http).get(`/api/v1/streams/company?cursor=${forged}`).set(bearer(reader)), 400, 'invalid_cursor');
    expectProblem(await api(t.http).get('/api/v1/streams/hashtags/not%20a%20tag').set(bearer(reader)), 400, 'validation_failed');
  });

  it('pages the home stream across its sources with no gaps or duplicates', async () => {
    const org = await t.factory.newOrg();
    const me = await t.factory.newUser(org, { email: `pager@${org.slug}.test` });
    const friend = await t.factory.newUser(org);
    const g = await newGroup(friend, 'public', [me]);
    await api(t.http).post(`/api/v1/users/${friend.id}/follow`).set(bearer(me)).expect(204);
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) {
      const body = `home ${i}${i % 4 === 3 ? ' @pager' : ''}`;
      const source = i % 4 === 0 ? {} : i % 4 === 1 ? { groupId: g } : {};
      await post(i % 2 === 0 ? org.admin : friend, body, source);
      expected.unshift(body);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await api(t.http)
        .get('/api/v1/streams/home')
        .query(cursor ? { limit: 5, cursor } : { limit: 5 })
        .set(bearer(me))
        .expect(200);
      seen.push(...res.body.items.map((p) => p.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it('home stays exact when the company stream fills whole pages and bounds the other sources', async () => {
    // The home query reads the company page first and skips, in every other source, what is
    // older than that page's last item. Posts from groups, followees and mentions sit just
    // before, between and after full company pages, with equal timestamps at the edge.
    const org = await t.factory.newOrg();
    const me = await t.factory.newUser(org, { email: `floor@${org.slug}.test` });
    const friend = await t.factory.newUser(org);
    const stranger = await t.factory.newUser(org);
    const mine = await newGroup(stranger, 'private', [me]);
    const publicNotMine = await newGroup(stranger, 'public', [friend]);
    const privateNotMine = await newGroup(stranger, 'private', [friend]);
    await api(t.http).post(`/api/v1/users/${friend.id}/follow`).set(bearer(me)).expect(204);
    // Who posts where for each kind; only 'hidden' and 'stranger' must stay off my home.
    const source: Record<string, [TestUser, Record<string, unknown>]> = {
      company: [org.admin, {}],
      friend: [friend, { groupId: publicNotMine }],
      group: [stranger, { groupId: mine }],
      mention: [stranger, { groupId: publicNotMine }],
      hidden: [friend, { groupId: privateNotMine }],
      stranger: [stranger, { groupId: publicNotMine }],
    };
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString();
    const plan: [string, string, number][] = [
      ['old followed', 'friend', 0],
      ['old group', 'group', 1],
      ['old mention @floor', 'mention', 2],
      ['friend in a private group without me', 'hidden', 3],
      ['stranger in a public group', 'stranger', 4],
      ...Array.from({ length: 5 }, (_, i): [string, string, number] => [`company ${i}`, 'company', 10 + i]),
      ['group, between pages', 'group', 19],
      ...Array.from({ length: 5 }, (_, i): [string, string, number] => [`company ${5 + i}`, 'company', 20 + i]),
      // Three more at company 5's minute, the floor of a 5-item page: the one with the highest id
      // belongs on page 1, the others follow it (a strict "newer than the floor" would lose them).
      ['group at the edge', 'group', 20],
      ['mention at the edge @floor', 'mention', 20],
      ['followed at the edge', 'friend', 20],
    ];
    for (const [body, kind, minute] of plan) {
      const created = await post(source[kind][0], body, source[kind][1]);
      await t.superuser.query(`UPDATE post SET created_at = $3 WHERE org_id = $1 AND id = $2`, [org.id, created.id, at(minute)]);
      await t.superuser.query(`UPDATE post_mention SET created_at = $3 WHERE org_id = $1 AND post_id = $2`, [org.id, created.id, at(minute)]);
    }
    const expected = plan.filter(([, kind]) => kind !== 'hidden' && kind !== 'stranger').map(([body]) => body);
    const minuteOf = new Map(plan.map(([body, , minute]) => [body, minute]));
    for (const limit of [3, 5, 6]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: Item[]; nextCursor: string | null } } = await api(t.http)
          .get('/api/v1/streams/home')
          .query(cursor ? { limit, cursor } : { limit })
          .set(bearer(me))
          .expect(200);
        seen.push(...res.body.items.map((p) => p.body));
        cursor = res.body.nextCursor;
      } while (cursor);
      // Equal timestamps (minute 20) order by id, which is random: compare the minutes' order.
      expect(seen).toHaveLength(expected.length);
      expect(new Set(seen)).toEqual(new Set(expected));
      const minutes = seen.map((b) => minuteOf.get(b)!);
      expect(minutes).toEqual([...minutes].sort((a, b) => b - a));
    }
  });

  it('stream queries are index range scans, as planned for the RLS-bound runtime role (EXPLAIN)', async () => {
    const org = await t.factory.newOrg();
    // Realistic shape, so the planner compares the indexes on data, not on empty-table ties: most
    // posts sit in groups or are replies, a few are company posts.
    const group = (await t.superuser.query(`INSERT INTO org_group (org_id, name, visibility) VALUES ($1, 'explain', 'public') RETURNING id`, [org.id])).rows[0].id;
    await t.superuser.query(
      `INSERT INTO post (org_id, author_id, group_id, body, created_at)
       SELECT $1, $2, CASE WHEN i % 10 = 0 THEN NULL ELSE $3::uuid END, 'post ' || i, now() - make_interval(mins => i) FROM generate_series(1, 2000) i`,
      [org.id, org.admin.id, group],
    );
    await t.superuser.query('ANALYZE post');
    const plans: Record<string, string> = {};
    const explain = async (name: string, sql: string) => {
      await t.superuser.query('BEGIN');
      try {
        await t.superuser.query('SET LOCAL ROLE chorus_app');
        await t.superuser.query(`SELECT set_config('app.org_id', $1, true)`, [org.id]);
        await t.superuser.query('SET LOCAL enable_seqscan = off');
        const rows = await t.superuser.query(`EXPLAIN ${sql}`, [org.id]);
        plans[name] = rows.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      } finally {
        await t.superuser.query('ROLLBACK');
      }
    };
    await explain('company', `SELECT id FROM post WHERE org_id = $1 AND group_id IS NULL AND parent_id IS NULL AND deleted_at IS NULL
      ORDER BY created_at DESC, id DESC LIMIT 26`);
    await explain('group', `SELECT id FROM post WHERE org_id = $1 AND group_id = $1 AND parent_id IS NULL AND deleted_at IS NULL
      ORDER BY created_at DESC, id DESC LIMIT 26`);
    await explain('hashtag', `SELECT post_id FROM post_hashtag WHERE org_id = $1 AND tag = 'x' ORDER BY created_at DESC, post_id DESC LIMIT 26`);
    expect(plans.company).toMatch(/Index (Only )?Scan Backward using post_company_stream_idx/);
    expect(plans.group).toMatch(/Index (Only )?Scan Backward using post_group_stream_idx/);
    expect(plans.hashtag).toMatch(/Index (Only )?Scan Backward using post_hashtag_stream_idx/);
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/Sort/);
  });
});
