import { POST_SEARCH_SQL } from '../../src/search/search.repository.js';
import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestUser } from '../factories/factory.js';

interface Item {
  id: string;
  body: string;
  parentId: string | null;
  author: { id: string };
  group: { id: string } | null;
}

interface SearchPage {
  items: Item[];
  nextCursor: string | null;
}

describe('search: posts by full text, people and groups', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = async (user: TestUser, body: string, extra: Record<string, unknown> = {}) =>
    (await api(t.http).post('/api/v1/posts').set(bearer(user)).send({ body, ...extra }).expect(201)).body as Item;
  const search = (user: TestUser, query: Record<string, string | number>) => api(t.http).get('/api/v1/search').query(query).set(bearer(user));
  const found = async (user: TestUser, q: string, extra: Record<string, string | number> = {}) =>
    ((await search(user, { q, limit: 100, ...extra }).expect(200)).body as SearchPage).items.map((p) => p.body);
  const newGroup = async (owner: TestUser, visibility: 'public' | 'private', members: TestUser[] = [], name = `G ${Math.random()}`) => {
    const g = await api(t.http).post('/api/v1/groups').set(bearer(owner)).send({ name, visibility }).expect(201);
    for (const m of members) await api(t.http).post(`/api/v1/groups/${g.body.id}/members`).set(bearer(owner)).send({ userId: m.id }).expect(200);
    return g.body.id as string;
  };
  const setCreatedAt = (id: string, at: string) => t.superuser.query('UPDATE post SET created_at = $2 WHERE id = $1', [id, at]);

  it('finds roots and replies by their words, best match first, then newest, hydrated like a stream', async () => {
    const org = await t.factory.newOrg();
    const reader = await t.factory.newUser(org);
    const plan = await post(org.admin, 'Launch plan for the rocket');
    await post(org.admin, 'rocket rocket rocket, launch at dawn');
    await post(org.admin, 'lunch is served');
    const reply = await post(reader, 'A rocket reply', { parentId: plan.id });

    expect(await found(reader, 'rocket')).toEqual(['rocket rocket rocket, launch at dawn', 'A rocket reply', 'Launch plan for the rocket']);
    expect(await found(reader, 'ROCKET')).toEqual(await found(reader, 'rocket'));
    expect(await found(reader, '"launch plan"')).toEqual(['Launch plan for the rocket']);
    expect(await found(reader, 'rocket -launch')).toEqual(['A rocket reply']);
    expect(await found(reader, 'lunch or dawn')).toEqual(['lunch is served', 'rocket rocket rocket, launch at dawn']);
    expect(await found(reader, 'rock')).toEqual([]);

    const page = (await search(reader, { q: 'reply' }).expect(200)).body as SearchPage;
    expect(page).toEqual({ items: [expect.objectContaining({ id: reply.id, parentId: plan.id, author: expect.objectContaining({ id: reader.id }), group: null })], nextCursor: null });
    // Only punctuation: nothing to search for, so an empty page rather than an error.
    expect((await search(reader, { q: '!!! ...' }).expect(200)).body).toEqual({ items: [], nextCursor: null });
  });

  it('ranks a post that matches more often above one that matches once, whatever their age', async () => {
    const org = await t.factory.newOrg();
    const strong = await post(org.admin, 'budget budget budget review');
    await post(org.admin, 'budget review');
    await post(org.admin, 'budget budget review');
    await setCreatedAt(strong.id, '2020-01-01T00:00:00Z');
    expect(await found(org.admin, 'budget')).toEqual(['budget budget budget review', 'budget budget review', 'budget review']);
  });

  it('filters by group, author and a [from, to) date range', async () => {
    const org = await t.factory.newOrg();
    const ann = await t.factory.newUser(org);
    const ben = await t.factory.newUser(org);
    const g = await newGroup(ann, 'public', [ben]);
    const jan = await post(ann, 'quarterly numbers january');
    const feb = await post(ben, 'quarterly numbers february', { groupId: g });
    const mar = await post(ann, 'quarterly numbers march', { groupId: g });
    await setCreatedAt(jan.id, '2024-01-10T12:00:00Z');
    await setCreatedAt(feb.id, '2024-02-10T12:00:00Z');
    await setCreatedAt(mar.id, '2024-03-10T12:00:00Z');

    expect(await found(ben, 'quarterly', { groupId: g })).toEqual(['quarterly numbers march', 'quarterly numbers february']);
    expect(await found(ben, 'quarterly', { authorId: ann.id })).toEqual(['quarterly numbers march', 'quarterly numbers january']);
    expect(await found(ben, 'quarterly', { authorId: ann.id, groupId: g })).toEqual(['quarterly numbers march']);
    expect(await found(ben, 'quarterly', { from: '2024-02-01', to: '2024-03-01' })).toEqual(['quarterly numbers february']);
    expect(await found(ben, 'quarterly', { from: '2024-02-10T12:00:00Z' })).toEqual(['quarterly numbers march', 'quarterly numbers february']);
    expect(await found(ben, 'quarterly', { to: '2024-02-10T14:00:00+02:00' })).toEqual(['quarterly numbers january']);
    expect(await found(ben, 'quarterly', { from: '2024-01-01', to: '2024-12-31', groupId: g, authorId: ben.id })).toEqual(['quarterly numbers february']);
    expect(await found(ben, 'quarterly', { authorId: org.admin.id })).toEqual([]);
  });

  it('pages by (rank, time, id) with no gaps or duplicates, ties included', async () => {
    const org = await t.factory.newOrg();
    const reader = await t.factory.newUser(org);
    const made: { id: string; hits: number; at: string }[] = [];
    const spec: [number, string][] = [
      [1, '2024-05-01T00:00:00Z'], [3, '2024-05-02T00:00:00Z'], [1, '2024-05-03T00:00:00Z'], [2, '2024-05-04T00:00:00Z'],
      [1, '2024-05-05T00:00:00Z'], [1, '2024-05-05T00:00:00Z'], [1, '2024-05-05T00:00:00Z'], [2, '2024-05-06T00:00:00Z'],
    ];
    for (const [i, [hits, at]] of spec.entries()) {
      const p = await post(org.admin, `${'walrus '.repeat(hits)}note ${i}`);
      await setCreatedAt(p.id, at);
      made.push({ id: p.id, hits, at });
    }
    // Pages of 2 split the three-way tie (same rank, same time) between pages, so the id part of the key matters.
    const expected = [...made]
      .sort((a, b) => b.hits - a.hits || b.at.localeCompare(a.at) || b.id.localeCompare(a.id))
      .map((p) => p.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: SearchPage } = await search(reader, cursor ? { q: 'walrus', limit: 2, cursor } : { q: 'walrus', limit: 2 }).expect(200);
      expect(res.body.items.length).toBe(2);
      seen.push(...res.body.items.map((p) => p.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(expected);

    expectProblem(await search(reader, { q: 'walrus', cursor: 'abc' }), 400, 'invalid_cursor');
    const forged = Buffer.from(JSON.stringify(["1; DROP TABLE post; --", '2024-05-01 00:00:00+00', made[0].id])).toString('base64url');
    expectProblem(await search(reader, { q: 'walrus', cursor: forged }), 400, 'invalid_cursor');
    const streamCursor = Buffer.from(JSON.stringify(['2024-05-01 00:00:00+00', made[0].id])).toString('base64url');
    expectProblem(await search(reader, { q: 'walrus', cursor: streamCursor }), 400, 'invalid_cursor');
  });

  it('never finds a private group’s posts for non-members, admins included', async () => {
    const org = await t.factory.newOrg();
    const insider = await t.factory.newUser(org);
    const leaver = await t.factory.newUser(org);
    const outsider = await t.factory.newUser(org);
    const secret = await newGroup(insider, 'private', [leaver]);
    const open = await newGroup(insider, 'public');
    const root = await post(insider, 'classified merger talks', { groupId: secret });
    await post(insider, 'merger reply in private', { parentId: root.id });
    await post(insider, 'merger rumours in the open', { groupId: open });

    for (const viewer of [insider, leaver]) {
      expect((await found(viewer, 'merger')).sort()).toEqual(['classified merger talks', 'merger reply in private', 'merger rumours in the open']);
    }
    for (const viewer of [outsider, org.admin]) {
      expect(await found(viewer, 'merger')).toEqual(['merger rumours in the open']);
      expect(await found(viewer, 'classified')).toEqual([]);
      expectProblem(await search(viewer, { q: 'merger', groupId: secret }), 404, 'not_found');
    }
    expect(await found(insider, 'merger', { groupId: secret })).toEqual(['merger reply in private', 'classified merger talks']);

    await api(t.http).delete(`/api/v1/groups/${secret}/members/${leaver.id}`).set(bearer(insider)).expect(204);
    expect(await found(leaver, 'merger')).toEqual(['merger rumours in the open']);
    expectProblem(await search(outsider, { q: 'merger', groupId: '00000000-0000-4000-8000-000000000000' }), 404, 'not_found');
  });

  it('drops deleted posts and finds the new text of edited ones, not the old', async () => {
    const org = await t.factory.newOrg();
    const author = await t.factory.newUser(org);
    const root = await post(author, 'offsite venue is the lighthouse');
    const reply = await post(org.admin, 'lighthouse sounds great', { parentId: root.id });
    const edited = await post(author, 'draft agenda with typos');

    await api(t.http).delete(`/api/v1/posts/${reply.id}`).set(bearer(org.admin)).expect(204);
    expect(await found(author, 'lighthouse')).toEqual(['offsite venue is the lighthouse']);
    await api(t.http).delete(`/api/v1/posts/${root.id}`).set(bearer(author)).expect(204);
    expect(await found(author, 'lighthouse')).toEqual([]);

    await api(t.http).patch(`/api/v1/posts/${edited.id}`).set(bearer(author)).send({ body: 'final agenda, proofread' }).expect(200);
    expect(await found(author, 'typos')).toEqual([]);
    expect(await found(author, 'draft')).toEqual([]);
    expect(await found(author, 'proofread')).toEqual(['final agenda, proofread']);
  });

  it("never finds another org's posts, and 404s its groups", async () => {
    const a = await t.factory.newOrg();
    const b = await t.factory.newOrg();
    const g = await newGroup(a.admin, 'public');
    await post(a.admin, 'pineapple roadmap');
    await post(a.admin, 'pineapple group notes', { groupId: g });
    expect((await found(a.admin, 'pineapple')).length).toBe(2);
    expect(await found(b.admin, 'pineapple')).toEqual([]);
    expect(await found(b.admin, 'pineapple', { authorId: a.admin.id })).toEqual([]);
    expectProblem(await search(b.admin, { q: 'pineapple', groupId: g }), 404, 'not_found');
  });

  it('rejects bad input with 400 problem+json', async () => {
    const org = await t.factory.newOrg();
    const u = org.admin;
    const cases: [Record<string, string | number>, string][] = [
      [{}, 'validation_failed'],
      [{ q: '' }, 'validation_failed'],
      [{ q: 'x'.repeat(201) }, 'validation_failed'],
      [{ q: 'x', groupId: 'not-a-uuid' }, 'validation_failed'],
      [{ q: 'x', authorId: '123' }, 'validation_failed'],
      [{ q: 'x', from: 'yesterday' }, 'validation_failed'],
      [{ q: 'x', from: '2024-02-30' }, 'validation_failed'],
      [{ q: 'x', to: '2024-05-01T10:00:00' }, 'validation_failed'],
      [{ q: 'x', to: '2024-W01-1' }, 'validation_failed'],
      [{ q: 'x', from: '2024-03-01', to: '2024-02-01' }, 'invalid_date_range'],
      [{ q: 'x', limit: 0 }, 'validation_failed'],
      [{ q: 'x', limit: 101 }, 'validation_failed'],
      [{ q: 'x', sort: 'new' }, 'validation_failed'],
      [{ q: 'x', cursor: 'not a cursor' }, 'invalid_cursor'],
    ];
    for (const [query, code] of cases) expectProblem(await search(u, query), 400, code);
    expect((await api(t.http).get('/api/v1/search?q=a&q=b').set(bearer(u))).status).toBe(400);
    await search(u, { q: 'x'.repeat(200), limit: 100 }).expect(200);
    await search(u, { q: 'x', from: '2024-02-29', to: '2024-03-01T00:00:00.5+01:00' }).expect(200);
    expect((await api(t.http).get('/api/v1/search?q=x')).status).toBe(401);
  });

  it('people type-ahead: active users by name, handle or email, prefix matches first', async () => {
    const org = await t.factory.newOrg();
    const other = await t.factory.newOrg();
    const user = (displayName: string, local: string) => t.factory.newUser(org, { displayName, email: `${local}@${org.slug}.test` });
    await user('Omar Khan', 'okhan');
    await user('Marcus Aurelius', 'aurelius');
    await user('Tomas Amaral', 'tamaral');
    await user('Zed Zulu', 'marty');
    await user('Lisa Martin', 'lisa');
    await user('Mara Jade', 'jade');
    await user('Ann Other', 'ann');
    const gone = await user('Mark Gone', 'gone');
    await api(t.http).patch(`/api/v1/users/${gone.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);
    await t.factory.newUser(other, { displayName: 'Mario Elsewhere', email: `mario@${other.slug}.test` });

    const people = async (query: Record<string, string | number>) =>
      ((await api(t.http).get('/api/v1/search/people').query(query).set(bearer(org.admin)).expect(200)).body.items as { displayName: string }[])
        .map((u) => u.displayName);
    expect(await people({ q: 'mar' })).toEqual(['Lisa Martin', 'Mara Jade', 'Marcus Aurelius', 'Zed Zulu', 'Omar Khan', 'Tomas Amaral']);
    expect(await people({ q: 'MAR', limit: 2 })).toEqual(['Lisa Martin', 'Mara Jade']);
    expect(await people({ q: 'marty' })).toEqual(['Zed Zulu']);
    expect(await people({ q: '%' })).toEqual([]);
    expect(await people({ q: 'mark' })).toEqual([]);
    expect(await people({ q: 'mario' })).toEqual([]);

    const res = await api(t.http).get('/api/v1/search/people').query({ q: 'jade' }).set(bearer(org.admin)).expect(200);
    expect(res.body).toEqual({ items: [expect.objectContaining({ displayName: 'Mara Jade', handle: 'jade', status: 'active' })], nextCursor: null });
    expect(res.body.items[0]).not.toHaveProperty('passwordHash');
    for (const query of [{ q: '' }, {}, { q: 'x'.repeat(101) }, { q: 'mar', limit: 21 }, { q: 'mar', cursor: 'x' }]) {
      expectProblem(await api(t.http).get('/api/v1/search/people').query(query).set(bearer(org.admin)), 400, 'validation_failed');
    }
  });

  it('group type-ahead: groups I can see whose name or description matches', async () => {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    const outsider = await t.factory.newUser(org);
    await newGroup(org.admin, 'public', [], 'Marketing');
    await newGroup(org.admin, 'private', [member], 'Mars Rover');
    await newGroup(org.admin, 'public', [], 'Summary Writers');
    await newGroup(org.admin, 'public', [], 'Payroll');
    const old = await newGroup(org.admin, 'public', [], 'Market Stall');
    await api(t.http).patch(`/api/v1/groups/${old}`).set(bearer(org.admin)).send({ archived: true }).expect(200);

    const groups = async (viewer: TestUser, query: Record<string, string | number>) =>
      ((await api(t.http).get('/api/v1/search/groups').query(query).set(bearer(viewer)).expect(200)).body.items as { name: string }[]).map((g) => g.name);
    expect(await groups(member, { q: 'mar' })).toEqual(['Marketing', 'Mars Rover', 'Summary Writers']);
    expect(await groups(outsider, { q: 'mar' })).toEqual(['Marketing', 'Summary Writers']);
    expect(await groups(outsider, { q: 'MAR', limit: 1 })).toEqual(['Marketing']);
    expect(await groups(outsider, { q: 'rover' })).toEqual([]);
    expectProblem(await api(t.http).get('/api/v1/search/groups').query({ q: '' }).set(bearer(member)), 400, 'validation_failed');
  });

  it('the search predicate is served by the GIN index post_search_idx (EXPLAIN)', async () => {
    const org = await t.factory.newOrg();
    for (let i = 0; i < 3; i++) await post(org.admin, `indexed words number ${i}`);
    // Bulk filler straight in SQL (thousands of posts through the API would be slow) and fresh
    // statistics, so the planner weighs the index against a realistically sized org.
    await t.superuser.query(
      `INSERT INTO post (org_id, author_id, body) SELECT $1, $2, 'filler text ' || n FROM generate_series(1, 3000) n`,
      [org.id, org.admin.id],
    );
    await t.superuser.query('ANALYZE post');
    // The app's query, planned as the RLS-bound role: the match comes from post_search_match and
    // each hit is fetched by primary key; no scan of the org's posts.
    await t.superuser.query('BEGIN');
    try {
      await t.superuser.query('SET LOCAL ROLE chorus_app');
      await t.superuser.query(`SELECT set_config('app.org_id', $1, true)`, [org.id]);
      const params = [org.id, org.admin.id, 'indexed words', null, null, null, null, null, null, null, 26];
      const app = (await t.superuser.query(`EXPLAIN ${POST_SEARCH_SQL}`, params)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      expect(app).toMatch(/Function Scan on post_search_match/);
      expect(app).not.toMatch(/Seq Scan on post\b/);
    } finally {
      await t.superuser.query('ROLLBACK');
    }
    // The text predicate itself is served by the GIN index. (Whether the planner starts from it or
    // from the org's primary-key range inside post_search_match depends on the statistics of the
    // whole table, which other suites change; so the org condition is left out here.)
    await t.superuser.query('BEGIN');
    try {
      await t.superuser.query('SET LOCAL enable_seqscan = off');
      const inner = (
        await t.superuser.query(
          `EXPLAIN SELECT p.id, ts_rank_cd(p.search, q) FROM post p, websearch_to_tsquery('simple', 'indexed words') q
           WHERE p.search @@ q AND p.deleted_at IS NULL`,
        )
      ).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      expect(inner).toMatch(/Bitmap Index Scan on post_search_idx/);
    } finally {
      await t.superuser.query('ROLLBACK');
    }
  });
});
