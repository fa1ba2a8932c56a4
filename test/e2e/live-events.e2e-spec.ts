import { randomUUID } from 'node:crypto';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { SseClient } from '../helpers/sse-client.js';
import { bearer, type TestUser } from '../factories/factory.js';

describe('live updates over SSE, across two API processes sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const clients: SseClient[] = [];
  beforeAll(async () => {
    // Two app instances: a post through A must reach a client connected to B.
    const prefix = `live-${randomUUID().slice(0, 8)}`;
    a = await startTestApp({ REDIS_PREFIX: prefix });
    b = await startTestApp({ REDIS_PREFIX: prefix });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await a.close();
    await b.close();
  });

  const connect = async (app: TestApp, user: TestUser, headers: Record<string, string> = {}) => {
    const c = await SseClient.open(app.http, '/api/v1/events', { ...bearer(user), ...headers });
    clients.push(c);
    await new Promise((r) => setTimeout(r, 200));
    return c;
  };
  const post = async (user: TestUser, body: Record<string, unknown>) =>
    (await api(a.http).post('/api/v1/posts').set(bearer(user)).send(body).expect(201)).body as { id: string };

  it('delivers created, edited, reacted and deleted posts to a client on the other process', async () => {
    const org = await a.factory.newOrg();
    const reader = await a.factory.newUser(org);
    const client = await connect(b, reader);
    expect(client.status).toBe(200);
    const p = await post(org.admin, { body: 'live hello' });
    await api(a.http).patch(`/api/v1/posts/${p.id}`).set(bearer(org.admin)).send({ body: 'live hello, edited' }).expect(200);
    await api(a.http).post(`/api/v1/posts/${p.id}/reactions/celebrate`).set(bearer(org.admin)).expect(200);
    await api(a.http).delete(`/api/v1/posts/${p.id}`).set(bearer(org.admin)).expect(204);
    await client.waitFor(4);
    const events = client.posts();
    expect(events.map((e) => e.type)).toEqual(['post.created', 'post.edited', 'reaction.added', 'post.deleted']);
    expect(events.every((e) => e.data.postId === p.id)).toBe(true);
    expect(events[0].data.post?.body).toBe('live hello');
    expect(events[1].data.post?.body).toBe('live hello, edited');
  });

  it("never sends a private group's events to non-members, nor another org's", async () => {
    const org = await a.factory.newOrg();
    const other = await a.factory.newOrg();
    const insider = await a.factory.newUser(org);
    const outsider = await a.factory.newUser(org);
    const g = await api(a.http).post('/api/v1/groups').set(bearer(insider)).send({ name: 'Hush', visibility: 'private' }).expect(201);
    const outsiderClient = await connect(b, outsider);
    const insiderClient = await connect(b, insider);
    const otherOrgClient = await connect(b, other.admin);
    const secret = await post(insider, { body: 'secret', groupId: g.body.id });
    const open = await post(insider, { body: 'open' });
    await insiderClient.waitFor(2);
    await outsiderClient.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(insiderClient.posts().map((e) => e.data.postId)).toEqual([secret.id, open.id]);
    expect(outsiderClient.posts().map((e) => e.data.postId)).toEqual([open.id]);
    expect(otherOrgClient.posts()).toEqual([]);
  });

  it('resumes from Last-Event-ID with exactly the missed events, in order', async () => {
    const org = await a.factory.newOrg();
    const reader = await a.factory.newUser(org);
    const first = await connect(b, reader);
    const p1 = await post(org.admin, { body: 'one' });
    await first.waitFor(1);
    const lastSeen = first.posts()[0].id;
    first.close();
    const p2 = await post(org.admin, { body: 'two' });
    const p3 = await post(org.admin, { body: 'three' });
    const resumed = await connect(a, reader, { 'Last-Event-ID': lastSeen });
    await resumed.waitFor(2);
    expect(resumed.posts().map((e) => e.data.postId)).toEqual([p2.id, p3.id]);
    expect(resumed.posts().map((e) => e.data.postId)).not.toContain(p1.id);
  });

  it('rejects unauthenticated clients and malformed Last-Event-ID', async () => {
    const anonymous = await SseClient.open(b.http, '/api/v1/events', {});
    clients.push(anonymous);
    expect(anonymous.status).toBe(401);
    const org = await a.factory.newOrg();
    const bad = await SseClient.open(b.http, '/api/v1/events', { ...bearer(org.admin), 'Last-Event-ID': 'not-an-id' });
    clients.push(bad);
    expect(bad.status).toBe(400);
  });
});

describe('live updates in single-node mode (no Redis)', () => {
  let t: TestApp;
  let client: SseClient | null = null;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: '' });
  });
  afterAll(async () => {
    client?.close();
    await t.close();
  });

  it('delivers and resumes in-process', async () => {
    const org = await t.factory.newOrg();
    client = await SseClient.open(t.http, '/api/v1/events', bearer(org.admin));
    await new Promise((r) => setTimeout(r, 100));
    const p = (await api(t.http).post('/api/v1/posts').set(bearer(org.admin)).send({ body: 'solo' }).expect(201)).body as { id: string };
    await client.waitFor(1);
    const id = client.posts()[0].id;
    client.close();
    const q = (await api(t.http).post('/api/v1/posts').set(bearer(org.admin)).send({ body: 'solo 2' }).expect(201)).body as { id: string };
    client = await SseClient.open(t.http, '/api/v1/events', { ...bearer(org.admin), 'Last-Event-ID': id });
    await client.waitFor(1);
    expect(client.posts().map((e) => e.data.postId)).toEqual([q.id]);
    expect(p.id).not.toBe(q.id);
  });
});
