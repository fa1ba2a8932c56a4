import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { expectProblem } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

interface GroupBody {
  id: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  createdBy: string | null;
  archivedAt: string | null;
  memberCount: number;
  myRole: 'owner' | 'member' | null;
}

interface MemberBody {
  userId: string;
  displayName: string;
  handle: string;
  role: 'owner' | 'member';
}

const unique = () => randomUUID().slice(0, 8);

describe('groups', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());


  const createGroup = async (by: TestUser, body: Record<string, unknown> = {}) => {
    const res = await api(t.http)
      .post('/api/v1/groups')
      .set(bearer(by))
      .send({ name: `Group ${unique()}`, ...body })
      .expect(201);
    return res.body as GroupBody;
  };

  const listIds = async (by: TestUser, query: Record<string, string> = {}) => {
    const res = await api(t.http).get('/api/v1/groups').query(query).set(bearer(by)).expect(200);
    return (res.body.items as GroupBody[]).map((g) => g.id);
  };

  const memberIds = async (by: TestUser, groupId: string) => {
    const res = await api(t.http).get(`/api/v1/groups/${groupId}/members`).query({ limit: 100 }).set(bearer(by)).expect(200);
    return (res.body.items as MemberBody[]).map((m) => m.userId).sort();
  };

  const addMember = (by: TestUser, groupId: string, userId: string, role?: 'owner' | 'member') =>
    api(t.http).post(`/api/v1/groups/${groupId}/members`).set(bearer(by)).send(role ? { userId, role } : { userId });

  const auditFor = async (org: TestOrg, action: string, groupId: string) => {
    const res = await api(t.http).get('/api/v1/audit').query({ action, targetId: groupId }).set(bearer(org.admin)).expect(200);
    return res.body.items as { actor: { id: string | null }; data: Record<string, unknown> }[];
  };

  describe('creating', () => {
    it('makes the creator the only owner', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const name = `Platform ${unique()}`;
      const res = await api(t.http)
        .post('/api/v1/groups')
        .set(bearer(member))
        .send({ name, description: 'Infra folks', visibility: 'private' })
        .expect(201);
      expect(res.body).toMatchObject({
        name,
        description: 'Infra folks',
        visibility: 'private',
        createdBy: member.id,
        archivedAt: null,
        memberCount: 1,
        myRole: 'owner',
      });
      const members = await api(t.http).get(`/api/v1/groups/${res.body.id}/members`).set(bearer(member)).expect(200);
      expect(members.body.items).toEqual([expect.objectContaining({ userId: member.id, role: 'owner' })]);
    });

    it('defaults to a public group with an empty description', async () => {
      const org = await t.factory.newOrg();
      const group = await createGroup(org.admin);
      expect(group).toMatchObject({ visibility: 'public', description: '' });
    });

    it('rejects a name already used in the org, whatever its case, with 409 group_name_taken', async () => {
      const org = await t.factory.newOrg();
      const group = await createGroup(org.admin);
      const res = await api(t.http).post('/api/v1/groups').set(bearer(org.admin)).send({ name: group.name.toUpperCase() });
      expectProblem(res, 409, 'group_name_taken');
      // Another org may use the same name.
      const elsewhere = await t.factory.newOrg();
      await api(t.http).post('/api/v1/groups').set(bearer(elsewhere.admin)).send({ name: group.name }).expect(201);
    });
  });

  describe('visibility', () => {
    it('hides private groups from non-members, but lists them for members and admins', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const insider = await t.factory.newUser(org);
      const outsider = await t.factory.newUser(org);
      const secret = await createGroup(owner, { visibility: 'private' });
      const open = await createGroup(owner);
      await addMember(owner, secret.id, insider.id).expect(200);

      expect((await listIds(outsider)).sort()).toEqual([open.id]);
      expect((await listIds(owner)).sort()).toEqual([secret.id, open.id].sort());
      expect((await listIds(insider)).sort()).toEqual([secret.id, open.id].sort());
      expect((await listIds(org.admin)).sort()).toEqual([secret.id, open.id].sort());
      expect(await listIds(insider, { mine: 'true' })).toEqual([secret.id]);
    });

    it('answers 404 for a private group to non-members, on every route', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const outsider = await t.factory.newUser(org);
      const secret = await createGroup(owner, { visibility: 'private' });
      expectProblem(await api(t.http).get(`/api/v1/groups/${secret.id}`).set(bearer(outsider)), 404, 'not_found');
      expectProblem(await api(t.http).get(`/api/v1/groups/${secret.id}/members`).set(bearer(outsider)), 404, 'not_found');
      expectProblem(await api(t.http).post(`/api/v1/groups/${secret.id}/join`).set(bearer(outsider)), 404, 'not_found');

      const asAdmin = await api(t.http).get(`/api/v1/groups/${secret.id}`).set(bearer(org.admin)).expect(200);
      expect(asAdmin.body).toMatchObject({ id: secret.id, myRole: null, memberCount: 1 });
    });

    it("answers 404 for another org's group and for malformed ids", async () => {
      const org = await t.factory.newOrg();
      const elsewhere = await t.factory.newOrg();
      const theirs = await createGroup(elsewhere.admin);
      expectProblem(await api(t.http).get(`/api/v1/groups/${theirs.id}`).set(bearer(org.admin)), 404, 'not_found');
      expectProblem(await api(t.http).post(`/api/v1/groups/${theirs.id}/join`).set(bearer(org.admin)), 404, 'not_found');
      expectProblem(await api(t.http).get('/api/v1/groups/not-a-uuid').set(bearer(org.admin)), 404, 'not_found');
    });
  });

  describe('joining and leaving', () => {
    it('joins a public group, idempotently', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const joiner = await t.factory.newUser(org);
      const group = await createGroup(owner);
      const first = await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(joiner)).expect(200);
      expect(first.body).toMatchObject({ id: group.id, myRole: 'member', memberCount: 2 });
      const second = await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(joiner)).expect(200);
      expect(second.body).toMatchObject({ id: group.id, myRole: 'member', memberCount: 2 });
      expect(await memberIds(owner, group.id)).toEqual([owner.id, joiner.id].sort());
      expect(await auditFor(org, 'group.member_added', group.id)).toHaveLength(1);
    });

    it('does not let anyone, even an admin, join a private group uninvited', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const group = await createGroup(owner, { visibility: 'private' });
      expectProblem(await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(org.admin)), 403, 'forbidden');
      expect(await memberIds(owner, group.id)).toEqual([owner.id]);
    });

    it('lets a member leave', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const member = await t.factory.newUser(org);
      const group = await createGroup(owner);
      await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(member)).expect(200);
      await api(t.http).post(`/api/v1/groups/${group.id}/leave`).set(bearer(member)).expect(204);
      const after = await api(t.http).get(`/api/v1/groups/${group.id}`).set(bearer(member)).expect(200);
      expect(after.body).toMatchObject({ myRole: null, memberCount: 1 });

      const removed = await auditFor(org, 'group.member_removed', group.id);
      expect(removed).toHaveLength(1);
      expect(removed[0]).toMatchObject({ actor: { id: member.id }, data: { userId: member.id, role: 'member', via: 'leave' } });
    });

    it('does not let the last owner leave', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const member = await t.factory.newUser(org);
      const group = await createGroup(owner);
      await addMember(owner, group.id, member.id).expect(200);
      expectProblem(await api(t.http).post(`/api/v1/groups/${group.id}/leave`).set(bearer(owner)), 409, 'group_last_owner');
      expect(await memberIds(owner, group.id)).toEqual([owner.id, member.id].sort());

      // Once someone else is owner too, the first owner may go.
      await addMember(owner, group.id, member.id, 'owner').expect(200);
      await api(t.http).post(`/api/v1/groups/${group.id}/leave`).set(bearer(owner)).expect(204);
      expect(await memberIds(member, group.id)).toEqual([member.id]);
    });
  });

  describe('managing members', () => {
    it('lets owners add members, change roles and remove members, each audited', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const alice = await t.factory.newUser(org, { displayName: 'Alice' });
      const group = await createGroup(owner, { visibility: 'private' });

      const added = await addMember(owner, group.id, alice.id).expect(200);
      expect(added.body).toMatchObject({ userId: alice.id, displayName: 'Alice', role: 'member' });
      // Added to a private group, Alice can now see it.
      const seen = await api(t.http).get(`/api/v1/groups/${group.id}`).set(bearer(alice)).expect(200);
      expect(seen.body).toMatchObject({ myRole: 'member', memberCount: 2 });

      const promoted = await addMember(owner, group.id, alice.id, 'owner').expect(200);
      expect(promoted.body.role).toBe('owner');
      const demoted = await addMember(alice, group.id, owner.id, 'member').expect(200);
      expect(demoted.body.role).toBe('member');

      await api(t.http).delete(`/api/v1/groups/${group.id}/members/${owner.id}`).set(bearer(alice)).expect(204);
      expect(await memberIds(alice, group.id)).toEqual([alice.id]);
      expectProblem(await api(t.http).get(`/api/v1/groups/${group.id}`).set(bearer(owner)), 404, 'not_found');

      const addedEvents = await auditFor(org, 'group.member_added', group.id);
      expect(addedEvents).toHaveLength(1);
      expect(addedEvents[0]).toMatchObject({ actor: { id: owner.id }, data: { userId: alice.id, role: 'member' } });
      const roleEvents = await auditFor(org, 'group.member_role_changed', group.id);
      expect(roleEvents.map((e) => e.data).reverse()).toEqual([
        { userId: alice.id, from: 'member', to: 'owner' },
        { userId: owner.id, from: 'owner', to: 'member' },
      ]);
      const removedEvents = await auditFor(org, 'group.member_removed', group.id);
      expect(removedEvents).toHaveLength(1);
      expect(removedEvents[0]).toMatchObject({ actor: { id: alice.id }, data: { userId: owner.id, role: 'member', via: 'removed' } });
    });

    it('does not let the last owner be demoted', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const group = await createGroup(owner);
      expectProblem(await addMember(owner, group.id, owner.id, 'member'), 409, 'group_last_owner');
      expectProblem(await api(t.http).delete(`/api/v1/groups/${group.id}/members/${owner.id}`).set(bearer(org.admin)), 409, 'group_last_owner');
      const reread = await api(t.http).get(`/api/v1/groups/${group.id}`).set(bearer(owner)).expect(200);
      expect(reread.body.myRole).toBe('owner');
    });

    it('lets an org admin manage members of a group they are not in', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const member = await t.factory.newUser(org);
      const group = await createGroup(owner, { visibility: 'private' });
      await addMember(org.admin, group.id, member.id).expect(200);
      expect(await memberIds(owner, group.id)).toEqual([owner.id, member.id].sort());
      await api(t.http).delete(`/api/v1/groups/${group.id}/members/${member.id}`).set(bearer(org.admin)).expect(204);
      expect(await memberIds(owner, group.id)).toEqual([owner.id]);
    });

    it('does not let a plain member add, promote or remove members', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const member = await t.factory.newUser(org);
      const newcomer = await t.factory.newUser(org);
      const group = await createGroup(owner);
      await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(member)).expect(200);

      expectProblem(await addMember(member, group.id, newcomer.id), 403, 'forbidden');
      expectProblem(await addMember(member, group.id, member.id, 'owner'), 403, 'forbidden');
      expectProblem(await api(t.http).delete(`/api/v1/groups/${group.id}/members/${owner.id}`).set(bearer(member)), 403, 'forbidden');
      const members = await api(t.http).get(`/api/v1/groups/${group.id}/members`).set(bearer(owner)).expect(200);
      expect((members.body.items as MemberBody[]).map((m) => [m.userId, m.role]).sort()).toEqual(
        [[owner.id, 'owner'], [member.id, 'member']].sort(),
      );
    });

    it('rejects adding a deactivated user with 409 user_deactivated', async () => {
      const org = await t.factory.newOrg();
      const gone = await t.factory.newUser(org);
      await api(t.http).patch(`/api/v1/users/${gone.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);
      const group = await createGroup(org.admin);
      expectProblem(await addMember(org.admin, group.id, gone.id), 409, 'user_deactivated');
      expect(await memberIds(org.admin, group.id)).toEqual([org.admin.id]);
    });

    it('answers 404 for a user of another org, or no user at all', async () => {
      const org = await t.factory.newOrg();
      const elsewhere = await t.factory.newOrg();
      const stranger = await t.factory.newUser(elsewhere);
      const group = await createGroup(org.admin);
      expectProblem(await addMember(org.admin, group.id, stranger.id), 404, 'not_found');
      expectProblem(await addMember(org.admin, group.id, randomUUID()), 404, 'not_found');
      expect(await memberIds(org.admin, group.id)).toEqual([org.admin.id]);
    });

    it('validates the request body', async () => {
      const org = await t.factory.newOrg();
      const member = await t.factory.newUser(org);
      const group = await createGroup(org.admin);
      expectProblem(await api(t.http).post(`/api/v1/groups/${group.id}/members`).set(bearer(org.admin)).send({ userId: 'nope' }), 400, 'validation_failed');
      expectProblem(await addMember(org.admin, group.id, member.id, 'admin' as 'owner'), 400, 'validation_failed');
    });

    it('lists members by display name, in pages', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org, { displayName: 'Owen Owner' });
      const group = await createGroup(owner);
      const people = [owner];
      for (const displayName of ['Dora', 'bob', 'Eve', 'Carl']) {
        const user = await t.factory.newUser(org, { displayName });
        await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(user)).expect(200);
        people.push(user);
      }
      const seen: MemberBody[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await api(t.http)
          .get(`/api/v1/groups/${group.id}/members`)
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(bearer(owner))
          .expect(200);
        pageSizes.push(res.body.items.length);
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor !== null && pageSizes.length < 10);
      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen.map((m) => m.displayName)).toEqual(['bob', 'Carl', 'Dora', 'Eve', 'Owen Owner']);
      expect(seen.map((m) => m.userId).sort()).toEqual(people.map((p) => p.id).sort());
    });
  });

  describe('updating', () => {
    it('lets owners rename, describe and change visibility', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const outsider = await t.factory.newUser(org);
      const group = await createGroup(owner);
      const name = `Renamed ${unique()}`;
      const res = await api(t.http)
        .patch(`/api/v1/groups/${group.id}`)
        .set(bearer(owner))
        .send({ name, description: 'Now with words', visibility: 'private' })
        .expect(200);
      expect(res.body).toMatchObject({ id: group.id, name, description: 'Now with words', visibility: 'private', myRole: 'owner' });
      expectProblem(await api(t.http).get(`/api/v1/groups/${group.id}`).set(bearer(outsider)), 404, 'not_found');

      const updated = await auditFor(org, 'group.updated', group.id);
      expect(updated).toHaveLength(1);
      expect(updated[0].data).toEqual({
        changes: {
          name: { from: group.name, to: name },
          description: { from: '', to: 'Now with words' },
          visibility: { from: 'public', to: 'private' },
        },
      });
    });

    it('records only the fields that were sent in group.updated', async () => {
      const org = await t.factory.newOrg();
      const group = await createGroup(org.admin, { description: 'Before' });
      await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(org.admin)).send({ description: 'After' }).expect(200);
      const updated = await auditFor(org, 'group.updated', group.id);
      expect(updated.map((e) => e.data)).toEqual([{ changes: { description: { from: 'Before', to: 'After' } } }]);
    });

    it('does not let plain members change the group', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const member = await t.factory.newUser(org);
      const group = await createGroup(owner);
      await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(member)).expect(200);
      expectProblem(await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(member)).send({ name: `Mine ${unique()}` }), 403, 'forbidden');
      expectProblem(await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(member)).send({ archived: true }), 403, 'forbidden');
      const reread = await api(t.http).get(`/api/v1/groups/${group.id}`).set(bearer(member)).expect(200);
      expect(reread.body).toMatchObject({ name: group.name, archivedAt: null });
    });

    it('rejects renaming to a name already taken with 409 group_name_taken', async () => {
      const org = await t.factory.newOrg();
      const first = await createGroup(org.admin);
      const second = await createGroup(org.admin);
      expectProblem(
        await api(t.http).patch(`/api/v1/groups/${second.id}`).set(bearer(org.admin)).send({ name: first.name.toLowerCase() }),
        409,
        'group_name_taken',
      );
    });
  });

  describe('archiving', () => {
    it('freezes the group and hides it from the default list until it is restored', async () => {
      const org = await t.factory.newOrg();
      const owner = await t.factory.newUser(org);
      const joiner = await t.factory.newUser(org);
      const group = await createGroup(owner);

      const archived = await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(owner)).send({ archived: true }).expect(200);
      expect(archived.body.archivedAt).toEqual(expect.any(String));

      expectProblem(await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(joiner)), 409, 'group_archived');
      expectProblem(await addMember(owner, group.id, joiner.id), 409, 'group_archived');
      expectProblem(await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(owner)).send({ name: `Late ${unique()}` }), 409, 'group_archived');
      expect(await memberIds(owner, group.id)).toEqual([owner.id]);

      expect(await listIds(owner)).not.toContain(group.id);
      expect(await listIds(owner, { includeArchived: 'true' })).toContain(group.id);
      // Still readable directly.
      await api(t.http).get(`/api/v1/groups/${group.id}`).set(bearer(joiner)).expect(200);

      const restored = await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(owner)).send({ archived: false }).expect(200);
      expect(restored.body.archivedAt).toBeNull();
      expect(await listIds(owner)).toContain(group.id);
      await api(t.http).post(`/api/v1/groups/${group.id}/join`).set(bearer(joiner)).expect(200);

      expect(await auditFor(org, 'group.archived', group.id)).toHaveLength(1);
      expect(await auditFor(org, 'group.unarchived', group.id)).toHaveLength(1);
    });

    it('records archiving as group.archived only, not as a change of name, description or visibility', async () => {
      const org = await t.factory.newOrg();
      const group = await createGroup(org.admin);
      await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(org.admin)).send({ archived: true }).expect(200);
      await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(org.admin)).send({ archived: false }).expect(200);
      expect(await auditFor(org, 'group.updated', group.id)).toEqual([]);
    });

    it('is idempotent: archiving an archived group again is not an error', async () => {
      const org = await t.factory.newOrg();
      const group = await createGroup(org.admin);
      const first = await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(org.admin)).send({ archived: true }).expect(200);
      const again = await api(t.http).patch(`/api/v1/groups/${group.id}`).set(bearer(org.admin)).send({ archived: true });
      expect({ status: again.status, archivedAt: again.body.archivedAt }).toEqual({ status: 200, archivedAt: first.body.archivedAt });
      expect(await auditFor(org, 'group.archived', group.id)).toHaveLength(1);
    });
  });
});
