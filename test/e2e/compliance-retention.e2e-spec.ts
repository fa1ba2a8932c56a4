import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { PostRepository } from '../../src/posts/post.repository.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { InProcessJobQueue } from '../../src/jobs/in-process-job-queue.js';
import { RetentionSweeper, SweepStopped } from '../../src/compliance/retention/retention-sweeper.js';
import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

const unique = () => randomUUID().slice(0, 8);
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc000000301010018dd8db40000000049454e44ae426082', 'hex');

interface PreviewBody {
  scopes: { groupId: string | null; groupName: string; retainDays: number | null; due: number; dueDeleted: number; protectedByHolds: number; waitingForReplies: number }[];
  totals: { due: number; dueDeleted: number; protectedByHolds: number; waitingForReplies: number };
}

/** Posts, groups and ageing through the real API plus the superuser connection. */
function helpers(t: () => TestApp) {
  const post = async (by: TestUser, body: string, extra: { groupId?: string; parentId?: string; attachmentIds?: string[] } = {}) =>
    (await api(t().http).post('/api/v1/posts').set(bearer(by)).send({ body, ...extra }).expect(201)).body.id as string;
  const group = async (by: TestUser) => (await api(t().http).post('/api/v1/groups').set(bearer(by)).send({ name: `G ${unique()}` }).expect(201)).body.id as string;
  /** Makes posts (and their versions, mentions, hashtags) look `days` old. */
  const age = async (ids: string[], days: number) => {
    for (const table of ['post_version', 'post_mention', 'post_hashtag']) {
      await t().superuser.query(`UPDATE ${table} SET created_at = now() - make_interval(days => $2) WHERE post_id = ANY($1::uuid[])`, [ids, days]);
    }
    await t().superuser.query(`UPDATE post SET created_at = now() - make_interval(days => $2) WHERE id = ANY($1::uuid[])`, [ids, days]);
  };
  const deletedAgo = async (by: TestUser, id: string, days: number) => {
    await api(t().http).delete(`/api/v1/posts/${id}`).set(bearer(by)).expect(204);
    await t().superuser.query(`UPDATE post SET deleted_at = now() - make_interval(days => $2) WHERE id = $1`, [id, days]);
  };
  const surviving = async (ids: string[]) =>
    ((await t().superuser.query(`SELECT id FROM post WHERE id = ANY($1::uuid[])`, [ids])).rows as { id: string }[]).map((r) => r.id).sort();
  const policy = (by: TestUser, body: Record<string, unknown>) => api(t().http).put('/api/v1/compliance/retention').set(bearer(by)).send(body);
  const groupPolicy = (by: TestUser, groupId: string, retainDays: number | null) =>
    api(t().http).put(`/api/v1/compliance/retention/groups/${groupId}`).set(bearer(by)).send({ retainDays });
  const preview = async (by: TestUser) => (await api(t().http).get('/api/v1/compliance/retention/preview').set(bearer(by)).expect(200)).body as PreviewBody;
  const sweep = async (org: TestOrg, options = {}) => (await t().app.get(RetentionSweeper).sweep(org.id, 'manual', null, options))!;
  const auditOf = async (by: TestUser, action: string) =>
    (await api(t().http).get('/api/v1/audit').query({ action }).set(bearer(by)).expect(200)).body.items as { target: { id: string } | null; data: Record<string, unknown> }[];
  return { post, group, age, deletedAgo, surviving, policy, groupPolicy, preview, sweep, auditOf };
}

describe('retention policies and the sweep', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RETENTION_BATCH_SIZE: '10' });
  });
  afterAll(() => t.close());
  const h = helpers(() => t);

  const setup = async () => {
    const org = await t.factory.newOrg();
    const officer = await t.factory.newUser(org, { role: 'compliance' });
    const member = await t.factory.newUser(org);
    return { org, officer, member };
  };

  it('reads and changes the org policy and group overrides, audited with before and after', async () => {
    const { org, officer } = await setup();
    const res = await api(t.http).get('/api/v1/compliance/retention').set(bearer(officer)).expect(200);
    expect(res.body).toEqual({ retainDays: null, deletedGraceDays: 30, groups: [] });

    expect((await h.policy(officer, { retainDays: 365, deletedGraceDays: 7 }).expect(200)).body).toMatchObject({ retainDays: 365, deletedGraceDays: 7 });
    const g1 = await h.group(org.admin);
    const g2 = await h.group(org.admin);
    expect((await h.groupPolicy(officer, g1, 30).expect(200)).body).toMatchObject({ groupId: g1, retainDays: 30 });
    await h.groupPolicy(officer, g2, null).expect(200);
    const after = (await api(t.http).get('/api/v1/compliance/retention').set(bearer(officer)).expect(200)).body;
    expect(after.retainDays).toBe(365);
    expect(after.groups.map((g: { groupId: string; retainDays: number | null }) => [g.groupId, g.retainDays]).sort()).toEqual([[g1, 30], [g2, null]].sort());

    await api(t.http).delete(`/api/v1/compliance/retention/groups/${g1}`).set(bearer(officer)).expect(204);
    expect((await api(t.http).get('/api/v1/compliance/retention').set(bearer(officer)).expect(200)).body.groups).toEqual([
      expect.objectContaining({ groupId: g2, retainDays: null }),
    ]);

    const policyEvents = await h.auditOf(officer, 'retention.policy_updated');
    expect(policyEvents[0].data).toEqual({ before: { retainDays: null, deletedGraceDays: 30 }, after: { retainDays: 365, deletedGraceDays: 7 } });
    const groupEvents = await h.auditOf(officer, 'retention.group_policy_updated');
    expect(groupEvents.map((e) => [e.target?.id, e.data])).toEqual([
      [g1, { before: { retainDays: 30 }, after: 'inherit' }],
      [g2, { before: 'inherit', after: { retainDays: null } }],
      [g1, { before: 'inherit', after: { retainDays: 30 } }],
    ]);
  });

  it('refuses bad input (400 problem+json) and unknown or other-org groups (404)', async () => {
    const { officer } = await setup();
    for (const body of [{ retainDays: 0, deletedGraceDays: 30 }, { retainDays: 36501, deletedGraceDays: 30 }, { retainDays: 1.5, deletedGraceDays: 30 },
      { deletedGraceDays: 30 }, { retainDays: 10 }, { retainDays: 10, deletedGraceDays: 3651 }, { retainDays: '10', deletedGraceDays: 1 },
      { retainDays: 10, deletedGraceDays: 1, extra: true }]) {
      expectProblem(await h.policy(officer, body), 400, 'validation_failed');
    }
    const other = await t.factory.newOrg();
    const foreignGroup = await h.group(other.admin);
    expectProblem(await h.groupPolicy(officer, foreignGroup, 10), 404, 'not_found');
    expectProblem(await h.groupPolicy(officer, randomUUID(), 10), 404, 'not_found');
    expectProblem(await api(t.http).delete(`/api/v1/compliance/retention/groups/${foreignGroup}`).set(bearer(officer)), 404, 'not_found');
    const mine = await h.group(officer);
    expectProblem(await api(t.http).put(`/api/v1/compliance/retention/groups/${mine}`).set(bearer(officer)).send({ retainDays: 0 }), 400, 'validation_failed');
    expectProblem(await api(t.http).put(`/api/v1/compliance/retention/groups/${mine}`).set(bearer(officer)).send({}), 400, 'validation_failed');
    expectProblem(await api(t.http).get('/api/v1/compliance/retention/sweeps').query({ cursor: 'nope' }).set(bearer(officer)), 400, 'invalid_cursor');
  });

  it('answers 403 to members and to admins who are not compliance, on every endpoint', async () => {
    const { org, member } = await setup();
    const g = await h.group(org.admin);
    for (const who of [member, org.admin]) {
      const calls = [
        api(t.http).get('/api/v1/compliance/retention'),
        api(t.http).put('/api/v1/compliance/retention').send({ retainDays: 1, deletedGraceDays: 0 }),
        api(t.http).put(`/api/v1/compliance/retention/groups/${g}`).send({ retainDays: 1 }),
        api(t.http).delete(`/api/v1/compliance/retention/groups/${g}`),
        api(t.http).get('/api/v1/compliance/retention/preview'),
        api(t.http).post('/api/v1/compliance/retention/sweeps'),
        api(t.http).get('/api/v1/compliance/retention/sweeps'),
      ];
      for (const call of calls) expectProblem(await call.set(bearer(who)), 403, 'forbidden');
    }
    expect((await t.superuser.query(`SELECT count(*)::int AS n FROM retention_policy WHERE org_id = $1`, [org.id])).rows[0].n).toBe(0);
  });

  it('purges exactly what is due by age (org default, shorter, longer and keep-forever overrides), with every dependent row and file', async () => {
    const { org, officer, member } = await setup();
    const handle = (await api(t.http).get(`/api/v1/users/${member.id}`).set(bearer(org.admin)).expect(200)).body.handle as string;
    const shorter = await h.group(org.admin);
    const longer = await h.group(org.admin);
    const forever = await h.group(org.admin);
    const inherits = await h.group(org.admin);
    await h.policy(officer, { retainDays: 365, deletedGraceDays: 30 }).expect(200);
    await h.groupPolicy(officer, shorter, 30).expect(200);
    await h.groupPolicy(officer, longer, 1000).expect(200);
    await h.groupPolicy(officer, forever, null).expect(200);

    const upload = (await api(t.http).post('/api/v1/attachments').set(bearer(org.admin)).attach('file', PNG, { filename: 'p.png', contentType: 'image/png' }).expect(201)).body as { id: string };
    const storageKey = (await t.superuser.query(`SELECT storage_key FROM attachment WHERE id = $1`, [upload.id])).rows[0].storage_key as string;
    const file = join(t.app.get(AppConfig).env.ATTACHMENT_DIR, storageKey);
    expect(existsSync(file)).toBe(true);

    const rich = await h.post(org.admin, `old news @${handle} #launch`, { attachmentIds: [upload.id] });
    await api(t.http).patch(`/api/v1/posts/${rich}`).set(bearer(org.admin)).send({ body: `edited @${handle} #launch` }).expect(200);
    await api(t.http).post(`/api/v1/posts/${rich}/reactions/like`).set(bearer(member)).expect((r) => expect(r.status).toBeLessThan(300));
    const companyYoung = await h.post(org.admin, 'recent');
    const shorterOld = await h.post(org.admin, 'a', { groupId: shorter });
    const shorterYoung = await h.post(org.admin, 'b', { groupId: shorter });
    const longerMid = await h.post(org.admin, 'c', { groupId: longer });
    const longerOld = await h.post(org.admin, 'd', { groupId: longer });
    const foreverOld = await h.post(org.admin, 'e', { groupId: forever });
    const inheritsOld = await h.post(org.admin, 'f', { groupId: inherits });
    const inheritsYoung = await h.post(org.admin, 'g', { groupId: inherits });
    await h.age([rich], 400);
    await h.age([companyYoung, shorterYoung, inheritsYoung], 10);
    await h.age([shorterOld], 40);
    await h.age([longerMid], 400);
    await h.age([longerOld], 1100);
    await h.age([foreverOld], 5000);
    await h.age([inheritsOld], 366);

    const dependents = async () =>
      (await t.superuser.query(
        `SELECT (SELECT count(*) FROM post_version WHERE post_id = $1)::int AS versions, (SELECT count(*) FROM post_reaction WHERE post_id = $1)::int AS reactions,
                (SELECT count(*) FROM post_mention WHERE post_id = $1)::int AS mentions, (SELECT count(*) FROM post_hashtag WHERE post_id = $1)::int AS hashtags,
                (SELECT count(*) FROM attachment WHERE post_id = $1)::int AS attachments, (SELECT count(*) FROM notification WHERE post_id = $1)::int AS notifications`,
        [rich],
      )).rows[0];
    expect(await dependents()).toMatchObject({ versions: 2, reactions: 1, mentions: 1, hashtags: 1, attachments: 1 });

    const before = await h.preview(officer);
    const scope = (id: string | null) => before.scopes.find((s) => s.groupId === id)!;
    expect(scope(null)).toMatchObject({ groupName: 'Company stream', retainDays: 365, due: 1, dueDeleted: 0 });
    expect(scope(shorter)).toMatchObject({ retainDays: 30, due: 1 });
    expect(scope(longer)).toMatchObject({ retainDays: 1000, due: 1 });
    expect(scope(forever)).toMatchObject({ retainDays: null, due: 0 });
    expect(scope(inherits)).toMatchObject({ retainDays: 365, due: 1 });
    expect(before.totals).toEqual({ due: 4, dueDeleted: 0, protectedByHolds: 0, waitingForReplies: 0 });

    const { counts } = await h.sweep(org);
    const all = [rich, companyYoung, shorterOld, shorterYoung, longerMid, longerOld, foreverOld, inheritsOld, inheritsYoung];
    expect(await h.surviving(all)).toEqual([companyYoung, shorterYoung, longerMid, foreverOld, inheritsYoung].sort());
    expect(await dependents()).toEqual({ versions: 0, reactions: 0, mentions: 0, hashtags: 0, attachments: 0, notifications: 0 });
    expect(existsSync(file)).toBe(false);
    expect((await t.superuser.query(`SELECT count(*)::int AS n FROM storage_gc WHERE org_id = $1`, [org.id])).rows[0].n).toBe(0);

    // The preview said what the sweep then did, scope by scope.
    const expectedByScope = Object.fromEntries(before.scopes.filter((s) => s.due + s.dueDeleted > 0).map((s) => [s.groupId ?? 'company', s.due + s.dueDeleted]));
    expect(counts.byScope).toEqual(expectedByScope);
    expect(counts).toMatchObject({ purged: 4, deletedPurged: 0, attachmentsRemoved: 1, filesRemoved: 1, heldSkipped: 0 });
    expect((await h.preview(officer)).totals).toEqual({ due: 0, dueDeleted: 0, protectedByHolds: 0, waitingForReplies: 0 });

    const [event] = await h.auditOf(officer, 'retention.sweep_completed');
    expect(event.data).toMatchObject({ trigger: 'manual', purged: 4, byScope: { company: 1, [shorter]: 1, [longer]: 1, [inherits]: 1 } });
    const sweeps = (await api(t.http).get('/api/v1/compliance/retention/sweeps').set(bearer(officer)).expect(200)).body.items;
    expect(sweeps[0]).toMatchObject({ status: 'completed', trigger: 'manual', counts: { purged: 4, byScope: expectedByScope } });
  });

  it('never purges anything under "keep forever" with no deleted posts', async () => {
    const { org, officer } = await setup();
    const old = await h.post(org.admin, 'ancient');
    await h.age([old], 20_000);
    const { counts } = await h.sweep(org);
    expect(counts.purged).toBe(0);
    expect(await h.surviving([old])).toEqual([old]);
    expect((await h.preview(officer)).totals.due).toBe(0);
  });

  it('purges user-deleted posts once past the grace period, whatever the retention', async () => {
    const { org, officer } = await setup();
    await h.policy(officer, { retainDays: null, deletedGraceDays: 30 }).expect(200);
    const pastGrace = await h.post(org.admin, 'gone a while');
    const inGrace = await h.post(org.admin, 'gone recently');
    const live = await h.post(org.admin, 'still here');
    await h.deletedAgo(org.admin, pastGrace, 31);
    await h.deletedAgo(org.admin, inGrace, 29);
    expect((await h.preview(officer)).totals).toMatchObject({ due: 0, dueDeleted: 1 });
    const { counts } = await h.sweep(org);
    expect(await h.surviving([pastGrace, inGrace, live])).toEqual([inGrace, live].sort());
    expect(counts).toMatchObject({ purged: 1, deletedPurged: 1, byScope: { company: 1 } });
  });

  it('keeps a due root until all its replies are gone; a reply goes by its own age', async () => {
    const { org, officer, member } = await setup();
    await h.policy(officer, { retainDays: 365, deletedGraceDays: 30 }).expect(200);
    const root = await h.post(org.admin, 'root');
    const oldReply = await h.post(member, 'old reply', { parentId: root });
    const youngReply = await h.post(member, 'young reply', { parentId: root });
    const lonelyRoot = await h.post(org.admin, 'no replies');
    await h.age([root, oldReply, lonelyRoot], 400);
    await h.age([youngReply], 5);

    const p = await h.preview(officer);
    expect(p.totals).toEqual({ due: 2, dueDeleted: 0, protectedByHolds: 0, waitingForReplies: 1 });
    await h.sweep(org);
    expect(await h.surviving([root, oldReply, youngReply, lonelyRoot])).toEqual([root, youngReply].sort());

    // Once the last reply is due, reply and root go in the same sweep (replies first).
    await h.age([youngReply], 400);
    expect((await h.preview(officer)).totals).toMatchObject({ due: 2, waitingForReplies: 0 });
    const { counts } = await h.sweep(org);
    expect(counts.purged).toBe(2);
    expect(await h.surviving([root, youngReply])).toEqual([]);
  });

  it('a reply racing the purge of its root gets 404, not a 500', async () => {
    const { org, officer, member } = await setup();
    await h.policy(officer, { retainDays: 30, deletedGraceDays: 30 }).expect(200);
    const root = await h.post(org.admin, 'about to expire');
    await h.age([root], 40);
    // The reply's checks read the root; the sweep removes it before the reply is inserted.
    const repo = t.app.get(PostRepository);
    const find = repo.find.bind(repo);
    const spy = jest.spyOn(repo, 'find').mockImplementation(async (tx, id, forUpdate) => {
      const row = await find(tx, id, forUpdate);
      if (id === root) await h.sweep(org);
      return row;
    });
    try {
      const res = await api(t.http).post('/api/v1/posts').set(bearer(member)).send({ body: 'too late', parentId: root });
      expectProblem(res, 404, 'not_found');
    } finally {
      spy.mockRestore();
    }
    expect(await h.surviving([root])).toEqual([]);
  });

  it('removes uploads never attached to a post after a day, with their files', async () => {
    const { org } = await setup();
    const up = async () => (await api(t.http).post('/api/v1/attachments').set(bearer(org.admin)).attach('file', PNG, { filename: 'x.png', contentType: 'image/png' }).expect(201)).body.id as string;
    const stale = await up();
    const fresh = await up();
    await t.superuser.query(`UPDATE attachment SET created_at = now() - interval '25 hours' WHERE id = $1`, [stale]);
    const keyOf = async (id: string) => (await t.superuser.query(`SELECT storage_key FROM attachment WHERE id = $1`, [id])).rows[0].storage_key as string;
    const staleFile = join(t.app.get(AppConfig).env.ATTACHMENT_DIR, await keyOf(stale));
    const freshFile = join(t.app.get(AppConfig).env.ATTACHMENT_DIR, await keyOf(fresh));
    const { counts } = await h.sweep(org);
    expect(counts).toMatchObject({ orphanUploadsRemoved: 1, filesRemoved: 1 });
    const left = (await t.superuser.query(`SELECT id FROM attachment WHERE id = ANY($1::uuid[])`, [[stale, fresh]])).rows.map((r) => r.id);
    expect(left).toEqual([fresh]);
    expect(existsSync(staleFile)).toBe(false);
    expect(existsSync(freshFile)).toBe(true);
  });

  it('an interrupted sweep leaves consistent data; the next one finishes the job and marks it interrupted', async () => {
    const { org, officer, member } = await setup();
    await h.policy(officer, { retainDays: 30, deletedGraceDays: 30 }).expect(200);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const root = await h.post(org.admin, `root ${i}`);
      ids.push(root, await h.post(member, `reply ${i}`, { parentId: root }));
    }
    const young = await h.post(org.admin, 'young');
    await h.age(ids, 100);
    expect((await h.preview(officer)).totals.due).toBe(24);

    // Batches of 10: stop after the first, like a worker killed mid-way.
    await expect(h.sweep(org, { stopAfterBatches: 1 })).rejects.toBeInstanceOf(SweepStopped);
    expect((await h.surviving(ids)).length).toBe(14);
    const orphans = await t.superuser.query(
      `SELECT count(*)::int AS n FROM post c WHERE c.org_id = $1 AND c.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM post r WHERE r.id = c.parent_id)`,
      [org.id],
    );
    expect(orphans.rows[0].n).toBe(0);
    const dangling = await t.superuser.query(`SELECT count(*)::int AS n FROM post_version v WHERE v.org_id = $1 AND NOT EXISTS (SELECT 1 FROM post p WHERE p.id = v.post_id)`, [org.id]);
    expect(dangling.rows[0].n).toBe(0);
    const [first] = (await api(t.http).get('/api/v1/compliance/retention/sweeps').set(bearer(officer)).expect(200)).body.items;
    expect(first).toMatchObject({ status: 'running', counts: { purged: 10, batches: 1 } });
    expect((await h.preview(officer)).totals.due).toBe(14);

    // While the stopped sweep still looks alive (it reported within 15 minutes), another one stays out.
    expect(await t.app.get(RetentionSweeper).sweep(org.id, 'schedule', null)).toBeNull();
    expect((await h.surviving(ids)).length).toBe(14);
    // Its worker is gone: 20 minutes without a batch.
    await t.superuser.query(`UPDATE retention_sweep SET progress_at = now() - interval '20 minutes' WHERE org_id = $1 AND id = $2`, [org.id, first.id]);
    const second = await h.sweep(org);
    expect(second.interrupted).toEqual([first.id]);
    expect(second.counts.purged).toBe(14);
    expect(await h.surviving([...ids, young])).toEqual([young]);
    const sweeps = (await api(t.http).get('/api/v1/compliance/retention/sweeps').query({ limit: 1 }).set(bearer(officer)).expect(200)).body;
    expect(sweeps.items[0]).toMatchObject({ id: second.sweepId, status: 'completed' });
    const next = (await api(t.http).get('/api/v1/compliance/retention/sweeps').query({ limit: 1, cursor: sweeps.nextCursor }).set(bearer(officer)).expect(200)).body;
    expect(next.items[0]).toMatchObject({ id: first.id, status: 'interrupted', finishedAt: expect.any(String) });
  });
});

describe('retention sweep through the API and the job queue (single-node mode)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: '' });
  });
  afterAll(() => t.close());
  const h = helpers(() => t);

  it('POST sweeps answers 202, the job purges, and request and completion are audited', async () => {
    const org = await t.factory.newOrg();
    const officer = await t.factory.newUser(org, { role: 'compliance' });
    const g = await h.group(org.admin);
    await h.policy(officer, { retainDays: 90, deletedGraceDays: 30 }).expect(200);
    const old = await h.post(org.admin, 'old', { groupId: g });
    const kept = await h.post(org.admin, 'kept', { groupId: g });
    await h.age([old], 91);

    await api(t.http).post('/api/v1/compliance/retention/sweeps').set(bearer(officer)).expect(202);
    await (t.app.get(JobQueue) as InProcessJobQueue).drain();
    expect(await h.surviving([old, kept])).toEqual([kept]);

    const [requested] = await h.auditOf(officer, 'retention.sweep_requested');
    expect(requested).toBeDefined();
    const [completed] = await h.auditOf(officer, 'retention.sweep_completed');
    expect(completed.data).toMatchObject({ trigger: 'manual', requestedBy: officer.id, byScope: { [g]: 1 }, purged: 1 });
    const [sweep] = (await api(t.http).get('/api/v1/compliance/retention/sweeps').set(bearer(officer)).expect(200)).body.items;
    expect(sweep).toMatchObject({ trigger: 'manual', requestedBy: officer.id, status: 'completed', counts: { purged: 1 } });
  });
});
