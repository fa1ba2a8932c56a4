import { randomBytes } from 'node:crypto';
import type { InProcessJobQueue } from '../../src/jobs/in-process-job-queue.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { JobRegistry } from '../../src/jobs/job-registry.js';
import { JobName } from '../../src/jobs/job.types.js';
import { TenantDatabase } from '../../src/tenancy/tenant-database.js';
import { EmailOutboxService } from '../../integrations/email/outbound/email-outbox.service.js';
import { utcDay } from '../../integrations/email/outbound/email-digest.service.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';
import { expectProblem } from '../helpers/assertions.js';
import { MailCatcher, type CaughtMail } from '../helpers/mail.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';

interface OutboxRow {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  error: string | null;
  message_id: string | null;
  to_address: string;
}

describe('outbound email: notifications, preferences, unsubscribe, digest, retries', () => {
  let t: TestApp;
  let catcher: MailCatcher;
  beforeAll(async () => {
    catcher = await new MailCatcher().start();
    t = await startTestApp({ REDIS_URL: '', SMTP_URL: catcher.url, POSTING_DOMAIN: 'chorus.test', SECRETS_KEY: randomBytes(32).toString('hex') });
  });
  afterAll(async () => {
    await t.close();
    await catcher.stop();
  });

  const drain = () => (t.app.get(JobQueue) as InProcessJobQueue).drain();
  const post = async (user: TestUser, body: Record<string, unknown>) =>
    (await api(t.http).post('/api/v1/posts').set(bearer(user)).send(body).expect(201)).body as { id: string };
  const outbox = async (orgId: string, userId: string) =>
    (await t.superuser.query<OutboxRow>(`SELECT * FROM email_outbox WHERE org_id = $1 AND user_id = $2 ORDER BY created_at`, [orgId, userId])).rows;
  const named = async (org: TestOrg, handle: string, displayName: string) =>
    t.factory.newUser(org, { email: `${handle}@${org.slug}.test`, displayName });
  const group = async (owner: TestUser, name: string, members: TestUser[]) => {
    const g = (await api(t.http).post('/api/v1/groups').set(bearer(owner)).send({ name, visibility: 'public' }).expect(201)).body as { id: string };
    for (const m of members) await api(t.http).post(`/api/v1/groups/${g.id}/join`).set(bearer(m)).expect(200);
    return g.id;
  };
  const unsubscribeUrl = (mail: CaughtMail) => new URL(/^<([^>]+)>$/.exec(mail.header('list-unsubscribe') ?? '')![1]);

  it('emails a mention as text and escaped HTML, with Reply-To token, one-click List-Unsubscribe and Auto-Submitted', async () => {
    const org = await t.factory.newOrg();
    const ann = await named(org, 'ann', 'Ann Lee');
    const bea = await named(org, 'bea', 'Bea Bloggs');
    const designId = await group(ann, `design-${org.slug}`, [bea]);
    await post(ann, { body: 'Hey @bea, look <script>alert(1)</script> & tell me', groupId: designId });
    await drain();

    const mail = await catcher.waitFor((m) => m.envelopeTo.includes(bea.email));
    expect(mail.parsed.subject).toBe(`Ann Lee mentioned you in #design-${org.slug}`);
    expect(mail.parsed.text).toContain('Hey @bea, look <script>alert(1)</script> & tell me');
    expect(mail.parsed.text).toContain('Reply to this email to answer in Chorus');
    const html = String(mail.parsed.html);
    expect(html).toContain('look &lt;script&gt;alert(1)&lt;/script&gt; &amp; tell me');
    expect(html).not.toContain('<script>');
    expect(mail.header('reply-to')).toMatch(new RegExp(`^reply\\+[a-z2-7]{32}@${org.slug}\\.chorus\\.test$`));
    expect(unsubscribeUrl(mail).pathname).toBe('/email/unsubscribe');
    expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.header('auto-submitted')).toBe('auto-generated');
    expect(mail.parsed.messageId).toMatch(/^<outbox\.[0-9a-f-]{36}@chorus\.test>$/);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Chorus', address: 'notifications@chorus.test' }]);

    const [row] = await outbox(org.id, bea.id);
    expect(row).toMatchObject({ kind: 'mention', status: 'sent', attempts: 0, message_id: mail.parsed.messageId });
  });

  it('emails the root author about a reply, and running EmailNotify again sends nothing more', async () => {
    const org = await t.factory.newOrg();
    const ann = await named(org, 'ann', 'Ann Lee');
    const bea = await named(org, 'bea', 'Bea Bloggs');
    const root = await post(bea, { body: 'Launch plan v2' });
    const reply = await post(ann, { body: 'Ship it', parentId: root.id });
    await drain();

    const mail = await catcher.waitFor((m) => m.envelopeTo.includes(bea.email));
    expect(mail.parsed.subject).toBe('Ann Lee replied to your post');
    expect(mail.parsed.text).toContain('Ship it');
    expect(mail.parsed.text).toContain(`/posts/${root.id}`);
    expect(mail.header('x-chorus-post-id')).toBe(reply.id);

    for (let i = 0; i < 2; i++) await t.app.get(JobRegistry).dispatch(JobName.EmailNotify, { orgId: org.id, postId: reply.id });
    await drain();
    expect(catcher.to(bea.email)).toHaveLength(1);
    expect(await outbox(org.id, bea.id)).toHaveLength(1);
  });

  it('records a skipped email and sends none when the recipient turned mentions off or is deactivated', async () => {
    const org = await t.factory.newOrg();
    const ann = await named(org, 'ann', 'Ann Lee');
    const bea = await named(org, 'bea', 'Bea Bloggs');
    const cid = await named(org, 'cid', 'Cid Moss');
    const put = await api(t.http).put('/api/v1/me/email-preferences').set(bearer(bea)).send({ mentions: false }).expect(200);
    expect(put.body).toEqual({ mentions: false, replies: true, digest: false });
    expect((await api(t.http).get('/api/v1/me/email-preferences').set(bearer(bea)).expect(200)).body).toEqual({ mentions: false, replies: true, digest: false });
    expectProblem(await api(t.http).put('/api/v1/me/email-preferences').set(bearer(bea)).send({ mentions: 'no' }), 400, 'validation_failed');
    const cidsPost = await post(cid, { body: 'Before I leave' });
    await api(t.http).patch(`/api/v1/users/${cid.id}`).set(bearer(org.admin)).send({ status: 'deactivated' }).expect(200);

    await post(ann, { body: 'FYI @bea' });
    // A reply to a deactivated author still notifies in-app, but the email is skipped.
    await post(ann, { body: 'Thanks for everything', parentId: cidsPost.id });
    await drain();
    expect(await outbox(org.id, bea.id)).toEqual([expect.objectContaining({ kind: 'mention', status: 'skipped', attempts: 0 })]);
    expect(await outbox(org.id, cid.id)).toEqual([expect.objectContaining({ kind: 'reply', status: 'skipped', attempts: 0 })]);
    expect(catcher.to(bea.email)).toEqual([]);
    expect(catcher.to(cid.email)).toEqual([]);
  });

  it('unsubscribes by one-click POST, never by GET, and refuses a bad token', async () => {
    const org = await t.factory.newOrg();
    const ann = await named(org, 'ann', 'Ann Lee');
    const bea = await named(org, 'bea', 'Bea Bloggs');
    await post(ann, { body: 'Hello @bea' });
    await drain();
    const url = unsubscribeUrl(await catcher.waitFor((m) => m.envelopeTo.includes(bea.email)));
    const path = `${url.pathname}${url.search}`;
    const prefs = async () => (await api(t.http).get('/api/v1/me/email-preferences').set(bearer(bea)).expect(200)).body as Record<string, boolean>;

    const page = await api(t.http).get(path).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('<form method="post"');
    expect((await prefs()).mentions).toBe(true);

    const done = await api(t.http).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect(done.text).toContain('Unsubscribed');
    expect(await prefs()).toEqual({ mentions: false, replies: true, digest: false });

    const token = url.searchParams.get('token')!;
    const forged = `${Buffer.from(`${org.id}.${ann.id}.all`).toString('base64url')}.${token.split('.')[1]}`;
    expectProblem(await api(t.http).post(`/email/unsubscribe?token=${forged}`).type('form').send('List-Unsubscribe=One-Click'), 400, 'email_unsubscribe_invalid');
    expectProblem(await api(t.http).get('/email/unsubscribe?token=nope'), 400, 'email_unsubscribe_invalid');
    expectProblem(await api(t.http).post('/email/unsubscribe'), 400, 'email_unsubscribe_invalid');
  });

  it('retries a failed delivery: attempts counted, still pending, then sent', async () => {
    const org = await t.factory.newOrg();
    const bea = await named(org, 'bea', 'Bea Bloggs');
    const id = await t.app.get(TenantDatabase).withOrg(org.id, (tx) =>
      t.app.get(EmailOutboxService).queueInTx(tx, { dedupeKey: `test:${bea.id}`, kind: 'mention', userId: bea.id, to: bea.email, subject: 'Retry me', text: 'Hello', html: null, headers: {} }),
    );
    catcher.failNext = 1;
    const registry = t.app.get(JobRegistry);
    await expect(registry.dispatch(JobName.EmailSend, { orgId: org.id, outboxId: id })).rejects.toThrow();
    expect(await outbox(org.id, bea.id)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, error: expect.stringContaining('451') })]);
    await registry.dispatch(JobName.EmailSend, { orgId: org.id, outboxId: id });
    expect(await outbox(org.id, bea.id)).toEqual([expect.objectContaining({ status: 'sent', attempts: 1 })]);
    await registry.dispatch(JobName.EmailSend, { orgId: org.id, outboxId: id });
    expect(catcher.to(bea.email).map((m) => m.parsed.subject)).toEqual(['Retry me']);
  });

  it('sends a daily digest of group posts of the last day, not the reader own, once per day', async () => {
    const org = await t.factory.newOrg();
    const ann = await named(org, 'ann', 'Ann Lee');
    const bea = await named(org, 'bea', 'Bea Bloggs');
    const designId = await group(ann, `design-${org.slug}`, [bea]);
    const otherId = await group(ann, `other-${org.slug}`, []);
    await post(ann, { body: 'Design review <b>moved</b> to Friday', groupId: designId });
    await post(bea, { body: 'My own post in design', groupId: designId });
    await post(ann, { body: 'Not in a group of bea', groupId: otherId });
    const old = await post(ann, { body: 'Old news', groupId: designId });
    await t.superuser.query(`UPDATE post SET created_at = now() - interval '2 days' WHERE org_id = $1 AND id = $2`, [org.id, old.id]);
    await api(t.http).put('/api/v1/me/email-preferences').set(bearer(bea)).send({ digest: true }).expect(200);
    await drain();

    const day = utcDay();
    await t.app.get(JobRegistry).dispatch(JobName.EmailDigest, { orgId: org.id, day });
    await drain();
    const digest = await catcher.waitFor((m) => m.envelopeTo.includes(bea.email) && /digest/i.test(m.parsed.subject ?? ''));
    expect(digest.parsed.text).toContain('Design review <b>moved</b> to Friday');
    expect(String(digest.parsed.html)).toContain('Design review &lt;b&gt;moved&lt;/b&gt; to Friday');
    expect(digest.parsed.text).not.toContain('My own post');
    expect(digest.parsed.text).not.toContain('Not in a group of bea');
    expect(digest.parsed.text).not.toContain('Old news');
    expect(decodeURIComponent(unsubscribeUrl(digest).search)).toContain('token=');
    expect(digest.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    await t.app.get(JobRegistry).dispatch(JobName.EmailDigest, { orgId: org.id, day });
    await drain();
    expect(catcher.to(bea.email).filter((m) => /digest/i.test(m.parsed.subject ?? ''))).toHaveLength(1);
    expect((await outbox(org.id, bea.id)).filter((r) => r.kind === 'digest')).toHaveLength(1);
    // Ann has no digest preference: nothing for her.
    expect((await outbox(org.id, ann.id)).filter((r) => r.kind === 'digest')).toEqual([]);
  });
  it('sends a bounce as an auto-reply in the thread of the refused message', async () => {
    const org = await t.factory.newOrg();
    const bea = await named(org, 'bea', 'Bea Bloggs');
    const outboxService = t.app.get(EmailOutboxService);
    const bounce = {
      to: bea.email,
      userId: bea.id,
      code: 'email_post_refused',
      reason: 'The group <Design> is archived',
      originalSubject: 'Weekly notes',
      originalMessageId: '<abc.123@mail.example>',
      target: `design@${org.slug}.chorus.test`,
      dedupeKey: `bounce:${bea.id}:abc`,
    };
    expect(await outboxService.queueBounce(org.id, bounce)).toEqual(expect.any(String));
    expect(await outboxService.queueBounce(org.id, bounce)).toBeNull();
    await drain();

    const [mail] = catcher.to(bea.email);
    expect(catcher.to(bea.email)).toHaveLength(1);
    expect(mail.parsed.text).toContain(`Your message to design@${org.slug}.chorus.test was not posted`);
    expect(mail.parsed.text).toContain('The group <Design> is archived');
    expect(mail.parsed.text).toContain('Weekly notes');
    expect(String(mail.parsed.html)).toContain('The group &lt;Design&gt; is archived');
    expect(mail.header('auto-submitted')).toBe('auto-replied');
    expect(mail.parsed.inReplyTo).toBe('<abc.123@mail.example>');
    expect(mail.header('references')).toBe('<abc.123@mail.example>');
    expect(await outbox(org.id, bea.id)).toEqual([expect.objectContaining({ kind: 'bounce', status: 'sent' })]);
  });

  it('without SMTP_URL marks emails skipped instead of failing, and List-Unsubscribe has no one-click without SECRETS_KEY', async () => {
    const quiet = await startTestApp({ REDIS_URL: '', SMTP_URL: '', POSTING_DOMAIN: 'chorus.test', SECRETS_KEY: '' });
    try {
      const org = await quiet.factory.newOrg();
      const ann = await quiet.factory.newUser(org, { email: `ann@${org.slug}.test`, displayName: 'Ann Lee' });
      const bea = await quiet.factory.newUser(org, { email: `bea@${org.slug}.test`, displayName: 'Bea Bloggs' });
      await api(quiet.http).post('/api/v1/posts').set(bearer(ann)).send({ body: 'Hi @bea' }).expect(201);
      await (quiet.app.get(JobQueue) as InProcessJobQueue).drain();
      const rows = (await quiet.superuser.query<OutboxRow & { headers: Record<string, string> }>(`SELECT * FROM email_outbox WHERE org_id = $1`, [org.id])).rows;
      expect(rows).toEqual([expect.objectContaining({ kind: 'mention', status: 'skipped', attempts: 0, error: 'SMTP_URL is not set' })]);
      expect(rows[0].headers['List-Unsubscribe']).toMatch(/^<http.*\/api\/docs#\/email>$/);
      expect(rows[0].headers['List-Unsubscribe-Post']).toBeUndefined();
      expect(catcher.to(bea.email)).toEqual([]);
      expectProblem(await api(quiet.http).post('/email/unsubscribe?token=abc.def'), 400, 'email_unsubscribe_invalid');
    } finally {
      await quiet.close();
    }
  });
});
