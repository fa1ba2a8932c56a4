import { randomUUID } from 'node:crypto';
import { RetentionSweeper } from '../../src/compliance/retention/retention-sweeper.js';
import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

const unique = () => randomUUID().slice(0, 8);

interface HoldBody {
  id: string;
  matter: string;
  custodianIds: string[];
  groupIds: string[];
  startsAt: string | null;
  endsAt: string | null;
  keywords: string[];
  status: 'active' | 'released';
  releaseReason: string | null;
  heldPosts: number;
}

describe('legal holds', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = async (by: TestUser, body: string, extra: { groupId?: string; parentId?: string } = {}) =>
    (await api(t.http).post('/api/v1/posts').set(bearer(by)).send({ body, ...extra }).expect(201)).body.id as string;
  const group = async (by: TestUser) => (await api(t.http).post('/api/v1/groups').set(bearer(by)).send({ name: `G ${unique()}` }).expect(201)).body.id as string;
  const age = async (ids: string[], days: number) => {
    await t.superuser.query(`UPDATE post_version SET created_at = now() - make_interval(days => $2) WHERE post_id = ANY($1::uuid[])`, [ids, days]);
    await t.superuser.query(`UPDATE post SET created_at = now() - make_interval(days => $2) WHERE id = ANY($1::uuid[])`, [ids, days]);
  };
  const surviving = async (ids: string[]) =>
    ((await t.superuser.query(`SELECT id FROM post WHERE id = ANY($1::uuid[])`, [ids])).rows as { id: string }[]).map((r) => r.id).sort();
  const hold = (by: TestUser, body: Record<string, unknown>) => api(t.http).post('/api/v1/compliance/holds').set(bearer(by)).send(body);
  const patch = (by: TestUser, id: string, body: Record<string, unknown>) => api(t.http).patch(`/api/v1/compliance/holds/${id}`).set(bearer(by)).send(body);
  const policy = (by: TestUser, retainDays: number | null, deletedGraceDays = 30) =>
    api(t.http).put('/api/v1/compliance/retention').set(bearer(by)).send({ retainDays, deletedGraceDays }).expect(200);
  const preview = async (by: TestUser) => (await api(t.http).get('/api/v1/compliance/retention/preview').set(bearer(by)).expect(200)).body;
  const sweep = async (org: TestOrg) => (await t.app.get(RetentionSweeper).sweep(org.id, 'schedule', null))!;
  const auditOf = async (by: TestUser, action: string) =>
    (await api(t.http).get('/api/v1/audit').query({ action }).set(bearer(by)).expect(200)).body.items as { target: { id: string } | null; data: Record<string, unknown> }[];

  const setup = async () => {
    const org = await t.factory.newOrg();
    const officer = await t.factory.newUser(org, { role: 'compliance' });
    const member = await t.factory.newUser(org);
    return { org, officer, member };
  };

  it('each kind of hold protects what it covers from the sweep, and a released hold stops protecting', async () => {
    const { org, officer, member } = await setup();
    const custodian = await t.factory.newUser(org);
    const g = await group(org.admin);
    await policy(officer, 365);

    const byCustodian = await post(custodian, 'quarterly numbers');
    const inGroup = await post(org.admin, 'group chatter', { groupId: g });
    const inRange = await post(org.admin, 'in the window');
    const keywordEarlier = await post(member, 'about Project Falcon pricing');
    await api(t.http).patch(`/api/v1/posts/${keywordEarlier}`).set(bearer(member)).send({ body: 'about pricing' }).expect(200);
    const control = await post(member, 'nothing special');
    await age([byCustodian, inGroup, control, keywordEarlier], 400);
    await age([inRange], 500);
    const windowStart = new Date(Date.now() - 510 * 86_400_000).toISOString();
    const windowEnd = new Date(Date.now() - 490 * 86_400_000).toISOString();

    const custodianHold = (await hold(officer, { matter: 'Custodian', custodianIds: [custodian.id] }).expect(201)).body as HoldBody;
    expect(custodianHold).toMatchObject({ status: 'active', custodianIds: [custodian.id], heldPosts: 1 });
    await hold(officer, { matter: 'Group', groupIds: [g] }).expect(201);
    const rangeHold = (await hold(officer, { matter: 'Range', startsAt: windowStart, endsAt: windowEnd }).expect(201)).body as HoldBody;
    expect(rangeHold.heldPosts).toBe(1);
    const keywordHold = (await hold(officer, { matter: 'Keyword', keywords: ['falcon'] }).expect(201)).body as HoldBody;
    expect(keywordHold.heldPosts).toBe(1);

    const p = await preview(officer);
    expect(p.totals).toMatchObject({ due: 1, protectedByHolds: 4 });
    const { counts } = await sweep(org);
    expect(counts).toMatchObject({ purged: 1, heldSkipped: 4 });
    expect(await surviving([byCustodian, inGroup, inRange, keywordEarlier, control])).toEqual([byCustodian, inGroup, inRange, keywordEarlier].sort());
    expect((await t.superuser.query(`SELECT count(*)::int AS n FROM post_version WHERE post_id = $1`, [keywordEarlier])).rows[0].n).toBe(2);

    // The database refuses to delete held rows, whoever asks.
    await expect(t.superuser.query(`DELETE FROM post_version WHERE post_id = $1`, [byCustodian])).rejects.toThrow(/legal hold/);

    const released = (await patch(officer, custodianHold.id, { release: { reason: 'Matter settled' } }).expect(200)).body as HoldBody;
    expect(released).toMatchObject({ status: 'released', releaseReason: 'Matter settled', heldPosts: 0 });
    expect((await preview(officer)).totals).toMatchObject({ due: 1, protectedByHolds: 3 });
    await sweep(org);
    expect(await surviving([byCustodian, inGroup, inRange, keywordEarlier])).toEqual([inGroup, inRange, keywordEarlier].sort());
  });

  it('deleted posts under hold survive the grace purge with every version and their deletion marker; replies of a held root are held', async () => {
    const { org, officer, member } = await setup();
    await policy(officer, null, 0);
    const root = await post(org.admin, 'Merger plans v1');
    await api(t.http).patch(`/api/v1/posts/${root}`).set(bearer(org.admin)).send({ body: 'Merger plans v2' }).expect(200);
    const reply = await post(member, 'sounds good', { parentId: root });
    const other = await post(member, 'unrelated');
    for (const id of [root, reply, other]) await api(t.http).delete(`/api/v1/posts/${id}`).set(bearer(id === root ? org.admin : member)).expect(204);
    await t.superuser.query(`UPDATE post SET deleted_at = now() - interval '2 days' WHERE id = ANY($1::uuid[])`, [[root, reply, other]]);
    const held = (await hold(officer, { matter: 'Merger', keywords: ['MERGER'] }).expect(201)).body as HoldBody;
    expect(held.heldPosts).toBe(2);

    const { counts } = await sweep(org);
    expect(counts).toMatchObject({ purged: 1, deletedPurged: 1, heldSkipped: 2 });
    expect(await surviving([root, reply, other])).toEqual([root, reply].sort());
    const rows = (await t.superuser.query(`SELECT id, deleted_at FROM post WHERE id = ANY($1::uuid[])`, [[root, reply]])).rows;
    expect(rows.every((r) => r.deleted_at !== null)).toBe(true);
    const versions = (await t.superuser.query(`SELECT body FROM post_version WHERE post_id = $1 ORDER BY version`, [root])).rows.map((r) => r.body);
    expect(versions).toEqual(['Merger plans v1', 'Merger plans v2']);
  });

  it("a deactivated custodian's and an archived group's expired and deleted held posts survive sweeps", async () => {
    const { org, officer } = await setup();
    const custodian = await t.factory.newUser(org);
    const g = await group(org.admin);
    await policy(officer, 30, 0);
    const mine = await post(custodian, 'my old post');
    const mineDeleted = await post(custodian, 'my deleted post');
    await api(t.http).delete(`/api/v1/posts/${mineDeleted}`).set(bearer(custodian)).expect(204);
    const groupOld = await post(org.admin, 'group old', { groupId: g });
    const groupDeleted = await post(org.admin, 'group deleted', { groupId: g });
    await api(t.http).delete(`/api/v1/posts/${groupDeleted}`).set(bearer(org.admin)).expect(204);
    const ids = [mine, mineDeleted, groupOld, groupDeleted];
    await age(ids, 100);
    await t.superuser.query(`UPDATE post SET deleted_at = now() - interval '50 days' WHERE id = ANY($1::uuid[]) AND deleted_at IS NOT NULL`, [ids]);
    await hold(officer, { matter: 'People', custodianIds: [custodian.id] }).expect(201);
    await hold(officer, { matter: 'Team', groupIds: [g] }).expect(201);

    await api(t.http).patch(`/api/v1/users/${custodian.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);
    await api(t.http).patch(`/api/v1/groups/${g}`).set(bearer(org.admin)).send({ archived: true }).expect(200);
    await sweep(org);
    await sweep(org);
    expect(await surviving(ids)).toEqual([...ids].sort());
  });

  it('held posts and their versions cannot be deleted, not even by a superuser, in a statement that also deletes others', async () => {
    const { org, officer, member } = await setup();
    const held = await post(member, 'held text');
    const free = await post(member, 'free text');
    expect((await hold(officer, { matter: `M ${unique()}`, custodianIds: [member.id] })).status).toBe(201);
    await api(t.http).post('/api/v1/posts').set(bearer(org.admin)).send({ body: 'unrelated' }).expect(201);
    await expect(t.superuser.query(`DELETE FROM post_version WHERE post_id = ANY($1::uuid[])`, [[free, held]])).rejects.toThrow(`post ${held} is under legal hold`);
    // Posts with nothing depending on them (straight into the table), one held by the custodian rule.
    const bare = async (author: string) =>
      (await t.superuser.query(`INSERT INTO post (org_id, author_id, body) VALUES ($1, $2, 'bare') RETURNING id, on_hold AS "onHold"`, [org.id, author])).rows[0] as { id: string; onHold: boolean };
    const heldBare = await bare(member.id);
    const freeBare = await bare(org.admin.id);
    expect([heldBare.onHold, freeBare.onHold]).toEqual([true, false]);
    await expect(t.superuser.query(`DELETE FROM post WHERE id = ANY($1::uuid[])`, [[freeBare.id, heldBare.id]])).rejects.toThrow(`post ${heldBare.id} is under legal hold`);
    expect(await surviving([heldBare.id, freeBare.id])).toEqual([heldBare.id, freeBare.id].sort());
    expect(await surviving([held, free])).toEqual([held, free].sort());
    const versions = await t.superuser.query(`SELECT count(*)::int AS n FROM post_version WHERE post_id = ANY($1::uuid[])`, [[held, free]]);
    expect(versions.rows[0].n).toBe(2);
  });

  it('keywords are literal text: % and _ in a keyword match only themselves; new posts and edits are marked as written', async () => {
    const { officer, member } = await setup();
    const literal = await post(member, 'Deal: 50%_off everything');
    const other = await post(member, 'Deal: 50 percent off everything');
    const held = (await hold(officer, { matter: 'Wildcards', keywords: ['50%_OFF'] }).expect(201)).body as HoldBody;
    expect(held.heldPosts).toBe(1);
    const onHold = async (id: string) => (await t.superuser.query(`SELECT on_hold FROM post WHERE id = $1`, [id])).rows[0].on_hold as boolean;
    expect([await onHold(literal), await onHold(other)]).toEqual([true, false]);
    // Written after the hold: a matching new post and an edit that adds the keyword are held at once, and a reply to a held root too.
    const later = await post(member, 'another 50%_off deal');
    await api(t.http).patch(`/api/v1/posts/${other}`).set(bearer(member)).send({ body: 'now 50%_off' }).expect(200);
    const reply = await post(member, 'nice', { parentId: literal });
    expect([await onHold(later), await onHold(other), await onHold(reply)]).toEqual([true, true, true]);
  });

  it('changes are audited (created, updated with the changed fields, released with the reason); a released hold is final', async () => {
    const { org, officer } = await setup();
    const g = await group(org.admin);
    const created = (await hold(officer, { matter: 'Audit me', keywords: ['alpha'] }).expect(201)).body as HoldBody;
    const updated = (await patch(officer, created.id, { keywords: ['alpha', 'beta'], groupIds: [g], matter: 'Audit me' }).expect(200)).body as HoldBody;
    expect(updated).toMatchObject({ keywords: ['alpha', 'beta'], groupIds: [g], status: 'active' });
    await patch(officer, created.id, { release: { reason: 'Closed' } }).expect(200);
    expectProblem(await patch(officer, created.id, { matter: 'again' }), 409, 'hold_released');
    expectProblem(await patch(officer, created.id, { release: { reason: 'twice' } }), 409, 'hold_released');

    const [c] = await auditOf(officer, 'hold.created');
    expect(c).toMatchObject({ target: { id: created.id }, data: { matter: 'Audit me', keywords: ['alpha'] } });
    const [u] = await auditOf(officer, 'hold.updated');
    expect(u.data.changes).toEqual({ keywords: { from: ['alpha'], to: ['alpha', 'beta'] }, groupIds: { from: [], to: [g] } });
    const [r] = await auditOf(officer, 'hold.released');
    expect(r).toMatchObject({ target: { id: created.id }, data: { reason: 'Closed' } });
  });

  it('lists holds newest first with a status filter and keyset paging', async () => {
    const { officer } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await hold(officer, { matter: `M${i}`, keywords: [`kw${i}`] }).expect(201)).body as HoldBody).id);
    await patch(officer, ids[0], { release: { reason: 'done' } }).expect(200);
    const page1 = (await api(t.http).get('/api/v1/compliance/holds').query({ limit: 2 }).set(bearer(officer)).expect(200)).body;
    const page2 = (await api(t.http).get('/api/v1/compliance/holds').query({ limit: 2, cursor: page1.nextCursor }).set(bearer(officer)).expect(200)).body;
    expect([...page1.items, ...page2.items].map((h: HoldBody) => h.id)).toEqual([...ids].reverse());
    expect(page2.nextCursor).toBeNull();
    const active = (await api(t.http).get('/api/v1/compliance/holds').query({ status: 'active' }).set(bearer(officer)).expect(200)).body.items;
    expect(active.map((h: HoldBody) => h.id)).toEqual([ids[2], ids[1]]);
    const released = (await api(t.http).get('/api/v1/compliance/holds').query({ status: 'released' }).set(bearer(officer)).expect(200)).body.items;
    expect(released.map((h: HoldBody) => h.id)).toEqual([ids[0]]);
    expect((await api(t.http).get(`/api/v1/compliance/holds/${ids[1]}`).set(bearer(officer)).expect(200)).body).toMatchObject({ id: ids[1], matter: 'M1' });
  });

  it('refuses bad input with 400 problem+json and stable codes', async () => {
    const { org, officer } = await setup();
    const other = await t.factory.newOrg();
    const stranger = await t.factory.newUser(other);
    const foreignGroup = await group(other.admin);
    const bad = await hold(officer, { matter: 'x', custodianIds: [org.admin.id, stranger.id] });
    expectProblem(bad, 400, 'unknown_custodians');
    expect(bad.body.unknownIds).toEqual([stranger.id]);
    const badGroup = await hold(officer, { matter: 'x', groupIds: [foreignGroup] });
    expectProblem(badGroup, 400, 'unknown_groups');
    expect(badGroup.body.unknownIds).toEqual([foreignGroup]);
    expectProblem(await hold(officer, { matter: 'x', startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' }), 400, 'invalid_range');
    for (const body of [{}, { matter: '' }, { matter: 'a'.repeat(201) }, { matter: 'x', keywords: [''] }, { matter: 'x', keywords: ['k'.repeat(101)] },
      { matter: 'x', keywords: Array.from({ length: 101 }, (_, i) => `k${i}`) }, { matter: 'x', custodianIds: ['nope'] },
      { matter: 'x', startsAt: 'yesterday' }, { matter: 'x', unknown: 1 }]) {
      expectProblem(await hold(officer, body), 400, 'validation_failed');
    }
    const mine = ((await hold(officer, { matter: 'ok', keywords: ['k'] }).expect(201)).body as HoldBody).id;
    expectProblem(await patch(officer, mine, { release: { reason: '' } }), 400, 'validation_failed');
    expectProblem(await patch(officer, mine, { release: { reason: 'r' }, matter: 'y' }), 400, 'release_with_changes');
    expectProblem(await patch(officer, mine, { endsAt: '2000-01-01T00:00:00Z', startsAt: '2001-01-01T00:00:00Z' }), 400, 'invalid_range');
    expectProblem(await api(t.http).get('/api/v1/compliance/holds').query({ status: 'maybe' }).set(bearer(officer)), 400, 'validation_failed');
  });

  it("another org's hold is 404; members and admins get 403 on every holds endpoint; nothing tells custodians", async () => {
    const { org, officer, member } = await setup();
    const other = await t.factory.newOrg();
    const otherOfficer = await t.factory.newUser(other, { role: 'compliance' });
    const foreign = ((await hold(otherOfficer, { matter: 'theirs' }).expect(201)).body as HoldBody).id;
    expectProblem(await api(t.http).get(`/api/v1/compliance/holds/${foreign}`).set(bearer(officer)), 404, 'not_found');
    expectProblem(await patch(officer, foreign, { matter: 'mine now' }), 404, 'not_found');
    expectProblem(await patch(officer, foreign, { release: { reason: 'x' } }), 404, 'not_found');
    expect((await api(t.http).get('/api/v1/compliance/holds').set(bearer(officer)).expect(200)).body.items).toEqual([]);

    const mine = ((await hold(officer, { matter: 'ours', custodianIds: [member.id] }).expect(201)).body as HoldBody).id;
    for (const who of [member, org.admin]) {
      for (const call of [
        api(t.http).post('/api/v1/compliance/holds').send({ matter: 'x' }),
        api(t.http).get('/api/v1/compliance/holds'),
        api(t.http).get(`/api/v1/compliance/holds/${mine}`),
        api(t.http).patch(`/api/v1/compliance/holds/${mine}`).send({ matter: 'y' }),
      ]) {
        expectProblem(await call.set(bearer(who)), 403, 'forbidden');
      }
    }
    const me = (await api(t.http).get(`/api/v1/users/${member.id}`).set(bearer(member)).expect(200)).body;
    expect(JSON.stringify(me)).not.toMatch(/hold|custodian/i);
  });
});
