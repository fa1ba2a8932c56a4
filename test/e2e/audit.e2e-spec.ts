import { asAppRole, tamperWithAudit } from '../helpers/assertions.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer } from '../factories/factory.js';
import { AuditService } from '../../src/audit/audit.service.js';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { auditHash } from '../../src/audit/audit-chain.js';
import { TenantDatabase } from '../../src/tenancy/tenant-database.js';

describe('audit log: append-only and hash-chained', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function orgWithHistory() {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    await t.factory.login(member);
    const group = await api(t.http).post('/api/v1/groups').set(bearer(member)).send({ name: 'History' }).expect(201);
    await api(t.http).patch(`/api/v1/users/${member.id}`).set(bearer(org.admin)).send({ role: 'compliance' }).expect(200);
    return { org, member, groupId: group.body.id as string };
  }

  it('records security-relevant events with actor, target, ip and request id, newest first', async () => {
    const { org, member, groupId } = await orgWithHistory();
    const res = await api(t.http).get('/api/v1/audit').set(bearer(org.admin)).set('X-Request-Id', 'req-audit-1').expect(200);
    const actions = res.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['org.created', 'user.created', 'token.created', 'auth.login', 'group.created', 'user.role_changed']),
    );
    const seqs = res.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));
    const roleChange = res.body.items.find((e: { action: string }) => e.action === 'user.role_changed');
    expect(roleChange).toMatchObject({
      actor: { type: 'user', id: org.admin.id },
      target: { type: 'user', id: member.id },
      data: { from: 'member', to: 'compliance' },
      ip: expect.any(String),
      requestId: expect.any(String),
    });
    const groupCreated = res.body.items.find((e: { action: string }) => e.action === 'group.created');
    expect(groupCreated.target).toEqual({ type: 'group', id: groupId });
  });

  it('filters by action and actor, and paginates with a cursor', async () => {
    const { org, member } = await orgWithHistory();
    const byActor = await api(t.http).get('/api/v1/audit').query({ actorId: member.id }).set(bearer(org.admin)).expect(200);
    expect(byActor.body.items.length).toBeGreaterThan(0);
    expect(byActor.body.items.every((e: { actor: { id: string } }) => e.actor.id === member.id)).toBe(true);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { seq: number }[]; nextCursor: string | null } } = await api(t.http)
        .get('/api/v1/audit')
        .query(cursor ? { limit: 2, cursor } : { limit: 2 })
        .set(bearer(org.admin))
        .expect(200);
      seen.push(...page.body.items.map((e) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => seen.length - i));
  });

  it('is readable by admins and compliance, not by members', async () => {
    const { org, member } = await orgWithHistory();
    await api(t.http).get('/api/v1/audit').set(bearer(member)).expect(200);
    const plain = await t.factory.newUser(org);
    const res = await api(t.http).get('/api/v1/audit').set(bearer(plain)).expect(403);
    expect(res.body.code).toBe('forbidden');
  });

  it('cannot be changed or deleted by the runtime role', async () => {
    const { org } = await orgWithHistory();
    for (const sql of [`UPDATE audit_event SET action = 'x' WHERE org_id = $1`, `DELETE FROM audit_event WHERE org_id = $1`]) {
      await expect(asAppRole(t.superuser, org.id, sql, [org.id])).rejects.toThrow(/permission denied/);
    }
    // Even the table owner is stopped by the append-only trigger.
    await expect(t.superuser.query(`DELETE FROM audit_event WHERE org_id = $1`, [org.id])).rejects.toThrow(/append-only/);
  });

  it('verifies an intact chain, and finds the first tampered, re-hashed or deleted row', async () => {
    const audit = t.app.get(AuditService);
    const { org } = await orgWithHistory();
    const intact = await audit.verify(org.id);
    expect(intact).toEqual({ ok: true, checked: expect.any(Number) });
    expect(intact.checked).toBeGreaterThanOrEqual(6);

    await tamperWithAudit(t.superuser, `UPDATE audit_event SET data = '{"from":"member","to":"admin"}' WHERE org_id = $1 AND action = 'user.role_changed'`, [org.id]);
    const changed = await audit.verify(org.id);
    const roleSeq = (await t.superuser.query(`SELECT seq FROM audit_event WHERE org_id = $1 AND action = 'user.role_changed'`, [org.id])).rows[0].seq;
    expect(changed).toMatchObject({ ok: false, firstBreak: { seq: roleSeq, reason: 'hash_mismatch' } });

    // A forger who also recomputes the row's hash breaks the link to the next row.
    const forged = await orgWithHistory();
    const repo = t.app.get(AuditRepository);
    const [first] = await t.app.get(TenantDatabase).withOrg(forged.org.id, (tx) => repo.chainBatch(tx, 1, 1));
    const rehash = auditHash({ ...first, data: { forged: true } });
    await tamperWithAudit(t.superuser, `UPDATE audit_event SET data = '{"forged":true}', hash = decode($2, 'hex') WHERE org_id = $1 AND seq = 2`, [
      forged.org.id,
      rehash,
    ]);
    expect(await audit.verify(forged.org.id)).toMatchObject({ ok: false, firstBreak: { seq: 3, reason: 'prev_hash_mismatch' } });

    const other = await orgWithHistory();
    await tamperWithAudit(t.superuser, `DELETE FROM audit_event WHERE org_id = $1 AND seq = 3`, [other.org.id]);
    expect(await audit.verify(other.org.id)).toMatchObject({ ok: false, firstBreak: { seq: 3, reason: 'sequence_gap' } });
  });
});
