import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import { EmailAuthenticator } from '../../integrations/email/inbound/email-authenticator.js';
import { EmailSmtpListener } from '../../integrations/email/inbound/email-smtp-listener.js';
import type { InProcessJobQueue } from '../../src/jobs/in-process-job-queue.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { JobRegistry } from '../../src/jobs/job-registry.js';
import { JobName } from '../../src/jobs/job.types.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';
import { expectProblem } from '../helpers/assertions.js';
import { bridgedPosts } from '../helpers/bridged-posts.js';
import { png } from '../helpers/files.js';
import { downloadBundle, readZip } from '../helpers/zip.js';
import { dkimKey, fakeResolver, MailCatcher, smtpClient } from '../helpers/mail.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';

const DOMAIN = 'chorus.test';
const SECRETS_KEY = randomBytes(32).toString('hex');
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const MAX_BYTES = 200_000;
/** The company mail domain of the test users; its DKIM key is published through the fake resolver. */
const CORP = 'corp.test';
const corpKey = dkimKey(CORP, 'mail2026');
const otherKey = dkimKey('elsewhere.test', 'sel');

type SmtpFailure = Error & { responseCode?: number; response?: string };

describe('Email inbound: posting and replying by email through the SMTP listener and the provider webhook', () => {
  let t: TestApp;
  let port: number;
  const catcher = new MailCatcher();
  let org: TestOrg;
  let ann: TestUser;
  let bob: TestUser;
  let groupId: string;
  let groupName: string;
  let signed: Transporter;
  let unsigned: Transporter;

  beforeAll(async () => {
    await catcher.start();
    t = await startTestApp({
      REDIS_URL: '',
      POSTING_DOMAIN: DOMAIN,
      SMTP_URL: catcher.url,
      SECRETS_KEY,
      EMAIL_WEBHOOK_SECRET: WEBHOOK_SECRET,
      EMAIL_MAX_BYTES: String(MAX_BYTES),
    });
    t.app.get(EmailAuthenticator).useResolver(
      fakeResolver({
        [`${corpKey.selector}._domainkey.${CORP}`]: corpKey.txt,
        [`${otherKey.selector}._domainkey.elsewhere.test`]: otherKey.txt,
      }),
    );
    port = await t.app.get(EmailSmtpListener).start(0, '127.0.0.1');
    org = await t.factory.newOrg();
    ann = await t.factory.newUser(org, { email: `ann.${randomUUID().slice(0, 6)}@${CORP}`, displayName: 'Ann Lee' });
    bob = await t.factory.newUser(org, { email: `bob.${randomUUID().slice(0, 6)}@${CORP}`, displayName: 'Bob Ray' });
    groupName = `Design ${randomUUID().slice(0, 6)}`;
    const group = await api(t.http).post('/api/v1/groups').set(bearer(ann)).send({ name: groupName }).expect(201);
    groupId = group.body.id as string;
    await api(t.http).post(`/api/v1/groups/${groupId}/join`).set(bearer(bob)).expect((r) => expect(r.status).toBeLessThan(300));
    signed = smtpClient(port, { dkim: { domainName: CORP, keySelector: corpKey.selector, privateKey: corpKey.privateKey } });
    unsigned = smtpClient(port);
  });

  afterAll(async () => {
    await t.app.get(EmailSmtpListener).stop();
    await t.close();
    await catcher.stop();
  });

  const drain = () => (t.app.get(JobQueue) as InProcessJobQueue).drain();
  const groupAddress = () => `${groupName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@${org.slug}.${DOMAIN}`;
  const messageId = () => `<${randomUUID()}@${CORP}>`;
  const postsBySource = (ref: string) => bridgedPosts(t.superuser, org.id, 'email', `${ref}#%`);
  const inboundRows = async (id: string) =>
    (await t.superuser.query(`SELECT status, error_code AS "errorCode", attempts FROM email_inbound WHERE org_id = $1 AND message_id = $2`, [org.id, id])).rows;
  const refusal = async (send: Promise<unknown>): Promise<SmtpFailure> => {
    const error = await send.then(
      () => null,
      (e: unknown) => e as SmtpFailure,
    );
    if (!error) throw new Error('The message was accepted');
    return error;
  };

  it('a DKIM-signed message from a member posts to the group, with its attachment and its provenance', async () => {
    const id = messageId();
    const info = await signed.sendMail({
      from: `Ann Lee <${ann.email}>`,
      to: groupAddress(),
      subject: 'Launch update',
      text: 'We shipped the beta today.\n\n-- \nAnn Lee | Design\n',
      html: '<p>We shipped the <b>beta</b> today.</p>',
      messageId: id,
      attachments: [{ filename: 'chart.png', content: png() }],
    });
    expect(info.response).toMatch(/^250 /);
    // Stored before the 250: the raw message is in the inbox.
    const stored = await t.superuser.query(`SELECT length(raw) AS n FROM email_inbound WHERE org_id = $1 AND message_id = $2`, [org.id, id]);
    expect(Number(stored.rows[0].n)).toBeGreaterThan(500);
    await drain();

    const [post] = await postsBySource(id);
    expect(post).toMatchObject({ authorId: ann.id, groupId, parentId: null, body: 'Launch update\n\nWe shipped the beta today.', source: 'email' });
    expect(post.provenance).toMatchObject({ kind: 'email', channel: 'smtp', messageId: id, from: ann.email, subject: 'Launch update', auth: { method: 'dkim' } });
    const headers = post.provenance!.headers as Array<[string, string]>;
    expect(headers.find(([k]) => k === 'dkim-signature')?.[1]).toContain(`d=${CORP}`);
    const view = await api(t.http).get(`/api/v1/posts/${post.id}`).set(bearer(bob)).expect(200);
    expect(view.body.attachments).toEqual([expect.objectContaining({ fileName: 'chart.png', contentType: 'image/png' })]);
    expect(await inboundRows(id)).toEqual([{ status: 'done', errorCode: null, attempts: 1 }]);
  });

  it('the same Message-ID delivered again is answered 250 and never posts twice', async () => {
    const id = messageId();
    const mail = { from: ann.email, to: groupAddress(), subject: 'Once only', text: 'Hello', messageId: id };
    await signed.sendMail(mail);
    await drain();
    const again = await signed.sendMail(mail);
    expect(again.response).toMatch(/^250 /);
    await drain();
    expect(await postsBySource(id)).toHaveLength(1);
    expect(await inboundRows(id)).toHaveLength(1);
  });

  it('refuses unknown recipients at RCPT with 550 and stores nothing', async () => {
    for (const to of [`no-such-group@${org.slug}.${DOMAIN}`, `design@no-such-org-${randomUUID().slice(0, 6)}.${DOMAIN}`, `${org.slug}@elsewhere.test`, `reply+${'a'.repeat(32)}@${org.slug}.${DOMAIN}`]) {
      const e = await refusal(signed.sendMail({ from: ann.email, to, subject: 'x', text: 'x' }));
      expect(e.responseCode).toBe(550);
      expect(e.response).toMatch(/^550 5\.1\.1 /);
    }
  });

  it('refuses an oversized message at DATA with 552', async () => {
    const id = messageId();
    const e = await refusal(signed.sendMail({ from: ann.email, to: groupAddress(), subject: 'Big', text: 'x'.repeat(MAX_BYTES + 10_000), messageId: id }));
    expect(e.responseCode).toBe(552);
    expect(e.response).toMatch(/5\.3\.4 Message too large/);
    expect(await inboundRows(id)).toEqual([]);
  });

  it('refuses forged senders: no signature, another domain’s signature, a tampered body, a stranger', async () => {
    const cases: Array<[Transporter, Record<string, unknown>, RegExp]> = [
      [unsigned, { from: ann.email }, /^550 5\.7\.26 .*DKIM/],
      [smtpClient(port, { dkim: { domainName: 'elsewhere.test', keySelector: otherKey.selector, privateKey: otherKey.privateKey } }), { from: ann.email }, /^550 5\.7\.26 /],
      [signed, { from: `intruder@${CORP}` }, /^550 5\.7\.1 .*not an active Chorus user/],
    ];
    for (const [client, extra, reply] of cases) {
      const id = messageId();
      const e = await refusal(client.sendMail({ to: groupAddress(), subject: 'Forged', text: 'Trust me', messageId: id, ...extra }));
      expect(e.responseCode).toBe(550);
      expect(e.response).toMatch(reply);
      expect(await inboundRows(id)).toEqual([]);
    }

    // A signature made for other content: the body changed in transit (signed, then altered, then sent raw).
    const id = messageId();
    const original = await signedRaw({ from: ann.email, to: groupAddress(), subject: 'Numbers', text: 'Revenue is 10', messageId: id });
    const tampered = original.replace('Revenue is 10', 'Revenue is 99');
    const e = await refusal(unsigned.sendMail({ envelope: { from: ann.email, to: groupAddress() }, raw: tampered }));
    expect(e.response).toMatch(/^550 5\.7\.26 /);
    expect(await postsBySource(id)).toEqual([]);
  });

  /** A message DKIM-signed by the corp key, as raw text (streamed through nodemailer's own signer). */
  async function signedRaw(mail: Record<string, unknown>): Promise<string> {
    const nodemailer = (await import('nodemailer')).default;
    const stream = nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      dkim: { domainName: CORP, keySelector: corpKey.selector, privateKey: corpKey.privateKey },
    });
    const info = await stream.sendMail(mail);
    return (info.message as Buffer).toString('utf8');
  }

  it('reply by email: the notification’s Reply-To address posts a reply in the thread as that user, and only from that user', async () => {
    const root = await api(t.http).post('/api/v1/posts').set(bearer(ann)).send({ body: 'Which logo do we pick?', groupId }).expect(201);
    await api(t.http).post('/api/v1/posts').set(bearer(bob)).send({ body: 'The blue one', parentId: root.body.id }).expect(201);
    await drain();
    const notice = await catcher.waitFor((m) => m.envelopeTo.includes(ann.email.toLowerCase()) && /replied/i.test(m.parsed.subject ?? ''));
    const replyTo = notice.parsed.replyTo!.value[0].address!;
    expect(replyTo).toMatch(new RegExp(`^reply\\+[a-z2-7]{32}@${org.slug}\\.${DOMAIN.replace('.', '\\.')}$`));

    // Someone else using Ann's reply address is refused.
    const stolen = await refusal(signed.sendMail({ from: bob.email, to: replyTo, subject: 'Re: x', text: 'Sneaky', messageId: messageId() }));
    expect(stolen.response).toMatch(/^550 5\.7\.1 .*another person/);

    const id = messageId();
    await signed.sendMail({
      from: ann.email,
      to: replyTo,
      subject: `Re: ${notice.parsed.subject}`,
      text: `Blue it is!\n\nOn Tue, 24 Nov 2026, Chorus wrote:\n> ${bob.email} replied: The blue one\n`,
      inReplyTo: notice.parsed.messageId,
      messageId: id,
    });
    await drain();
    const [reply] = await postsBySource(id);
    expect(reply).toMatchObject({ authorId: ann.id, parentId: root.body.id, groupId, body: 'Blue it is!' });
    const thread = await api(t.http).get(`/api/v1/posts/${root.body.id}/thread`).set(bearer(bob)).expect(200);
    expect(JSON.stringify(thread.body)).toContain('Blue it is!');

    // An expired token is refused at RCPT.
    await t.superuser.query(`UPDATE email_reply_token SET expires_at = now() - interval '1 minute' WHERE org_id = $1 AND user_id = $2`, [org.id, ann.id]);
    const expired = await refusal(signed.sendMail({ from: ann.email, to: replyTo, subject: 'Re: late', text: 'Late', messageId: messageId() }));
    expect(expired.response).toMatch(/^550 5\.1\.1 .*expired/);
  });

  it('an accepted message that cannot be posted bounces to its sender with the reason, and nothing is posted', async () => {
    const carol = await t.factory.newUser(org, { email: `carol.${randomUUID().slice(0, 6)}@${CORP}` });
    const id = messageId();
    const info = await signed.sendMail({ from: carol.email, to: groupAddress(), subject: 'Can I post?', text: 'Not a member yet', messageId: id });
    expect(info.response).toMatch(/^250 /);
    await drain();
    expect(await postsBySource(id)).toEqual([]);
    expect(await inboundRows(id)).toEqual([{ status: 'failed', errorCode: 'forbidden', attempts: 1 }]);
    const bounce = await catcher.waitFor((m) => m.envelopeTo.includes(carol.email.toLowerCase()));
    expect(bounce.parsed.subject).toMatch(/not posted/i);
    expect(bounce.parsed.text).toContain('Only members can post in this group');
    expect(bounce.header('auto-submitted')).toBe('auto-replied');
    expect(bounce.envelopeFrom).toBe('');
    expect(bounce.header('in-reply-to')).toBe(id);
  });

  it('an attachment outside the limits (a program) bounces the message with the reason, and nothing is posted', async () => {
    const id = messageId();
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(126)]);
    await signed.sendMail({ from: bob.email, to: groupAddress(), subject: 'Installer', text: 'Run this', messageId: id, attachments: [{ filename: 'setup.exe', content: exe }] });
    await drain();
    expect(await postsBySource(id)).toEqual([]);
    expect(await inboundRows(id)).toEqual([{ status: 'failed', errorCode: 'email_attachment_refused', attempts: 1 }]);
    const bounce = await catcher.waitFor((m) => m.envelopeTo.includes(bob.email.toLowerCase()) && (m.parsed.subject ?? '').includes('Installer'));
    expect(bounce.parsed.text).toContain('setup.exe');
    // Nothing is left half-done: no upload of the refused message stays attached to anything.
    const uploads = await t.superuser.query(`SELECT count(*)::int AS n FROM attachment WHERE org_id = $1 AND file_name = 'setup.exe'`, [org.id]);
    expect(uploads.rows[0].n).toBe(0);
  });

  it('a transient failure is retried; after the last try the message is failed and bounced', async () => {
    const id = messageId();
    const marker = `simulated-outage-${randomUUID()}`;
    // The database refuses this one post as an outage would (other suites' posts are untouched).
    const fn = `test_fail_${marker.replace(/-/g, '_')}`;
    await t.superuser.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN IF NEW.body LIKE '%${marker}%' THEN RAISE EXCEPTION 'simulated outage'; END IF; RETURN NEW; END $$`);
    await t.superuser.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON post FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    try {
      await signed.sendMail({ from: bob.email, to: groupAddress(), subject: 'Retry me', text: marker, messageId: id });
      // The first try (run at once in single-node mode) fails and leaves the message pending for a
      // retry. The attempt is counted when it starts and the error recorded when it ends: wait for both.
      const firstTryDone = async () => {
        const [row] = await inboundRows(id);
        return row?.attempts === 1 && row.errorCode !== null;
      };
      for (let i = 0; i < 200 && !(await firstTryDone()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await inboundRows(id)).toEqual([{ status: 'pending', errorCode: 'email_processing_failed', attempts: 1 }]);
      // Skip ahead to the last try.
      const [{ id: inboundId }] = (await t.superuser.query(`SELECT id FROM email_inbound WHERE org_id = $1 AND message_id = $2`, [org.id, id])).rows;
      await t.superuser.query(`UPDATE email_inbound SET attempts = 5 WHERE org_id = $1 AND id = $2`, [org.id, inboundId]);
      await t.app.get(JobRegistry).dispatch(JobName.EmailProcessInbound, { orgId: org.id, inboundId });
      expect(await inboundRows(id)).toEqual([{ status: 'failed', errorCode: 'email_processing_failed', attempts: 6 }]);
    } finally {
      await t.superuser.query(`DROP TRIGGER ${fn} ON post`);
      await t.superuser.query(`DROP FUNCTION ${fn}()`);
    }
    await drain();
    const bounce = await catcher.waitFor((m) => m.envelopeTo.includes(bob.email.toLowerCase()) && (m.parsed.subject ?? '').includes('Retry me'));
    expect(bounce.parsed.text).toContain('could not process');
    expect(await postsBySource(id)).toEqual([]);
  });

  it('the secret address variant skips DKIM only when the org allows it, and rotating it retires the old one', async () => {
    const made = await api(t.http).post(`/api/v1/groups/${groupId}/email-address/secret`).set(bearer(ann)).expect(201);
    const secretAddress = made.body.address as string;
    expect(secretAddress).toMatch(new RegExp(`\\+[a-z2-7]{32}@${org.slug}\\.`));
    const shown = await api(t.http).get(`/api/v1/groups/${groupId}/email-address`).set(bearer(bob)).expect(200);
    expect(shown.body).toMatchObject({ address: groupAddress(), secretAddressSkipsAuthentication: false, ambiguous: false });
    expect(JSON.stringify(shown.body)).not.toContain(secretAddress.split('@')[0].split('+')[1]);
    expectProblem(await api(t.http).post(`/api/v1/groups/${groupId}/email-address/secret`).set(bearer(bob)), 403, 'forbidden');

    // Not allowed by the org yet: the secret address still needs DKIM.
    const first = await refusal(unsigned.sendMail({ from: ann.email, to: secretAddress, subject: 'Via secret', text: 'No DKIM here', messageId: messageId() }));
    expect(first.response).toMatch(/^550 5\.7\.26 /);

    await api(t.http).patch('/api/v1/org').set(bearer(org.admin)).send({ settings: { emailSecretAddresses: true } }).expect(200);
    const id = messageId();
    await unsigned.sendMail({ from: ann.email, to: secretAddress, subject: 'Via secret', text: 'No DKIM here', messageId: id });
    await drain();
    const [post] = await postsBySource(id);
    expect(post).toMatchObject({ groupId, authorId: ann.id });
    expect(post.provenance).toMatchObject({ auth: { method: 'secret-address' } });
    // The plain address still needs DKIM.
    const plain = await refusal(unsigned.sendMail({ from: ann.email, to: groupAddress(), subject: 'Plain', text: 'No DKIM', messageId: messageId() }));
    expect(plain.response).toMatch(/^550 5\.7\.26 /);

    await api(t.http).post(`/api/v1/groups/${groupId}/email-address/secret`).set(bearer(ann)).expect(201);
    const retired = await refusal(unsigned.sendMail({ from: ann.email, to: secretAddress, subject: 'Old secret', text: 'x', messageId: messageId() }));
    expect(retired.response).toMatch(/^550 5\.1\.1 /);
    await api(t.http).patch('/api/v1/org').set(bearer(org.admin)).send({ settings: { emailSecretAddresses: false } }).expect(200);
    const audit = await t.superuser.query(`SELECT count(*)::int AS n FROM audit_event WHERE org_id = $1 AND action = 'email.secret_address_rotated'`, [org.id]);
    expect(audit.rows[0].n).toBe(2);
  });

  it('tells admins how the bridge is set up for their org', async () => {
    const res = await api(t.http).get('/api/v1/admin/email').set(bearer(org.admin)).expect(200);
    expect(res.body).toEqual({
      posting: true,
      postingDomain: DOMAIN,
      orgMailDomain: `${org.slug}.${DOMAIN}`,
      companyAddress: `company@${org.slug}.${DOMAIN}`,
      inboundWebhook: true,
      outbound: true,
      secretAddressesSkipAuthentication: false,
    });
    expectProblem(await api(t.http).get('/api/v1/admin/email').set(bearer(ann)), 403, 'forbidden');
  });

  it('automatic replies (out of office) are accepted but neither posted nor bounced', async () => {
    const id = messageId();
    const info = await signed.sendMail({ from: ann.email, to: groupAddress(), subject: 'Out of office', text: 'Back Monday', messageId: id, headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(info.response).toMatch(/^250 .*auto-submitted/);
    expect(await inboundRows(id)).toEqual([]);
  });

  it('stale pending messages (their job lost) are queued again by the requeue job, and still post once', async () => {
    const id = messageId();
    await signed.sendMail({ from: ann.email, to: groupAddress(), subject: 'Requeued', text: 'Lost job', messageId: id });
    await drain();
    // As if the process had died between storing and processing: pending again, two minutes old.
    await t.superuser.query(`UPDATE email_inbound SET status = 'pending', received_at = now() - interval '10 minutes' WHERE org_id = $1 AND message_id = $2`, [org.id, id]);
    // Failed messages (never posts, e.g. the bounced ones above) are deleted after 30 days.
    await t.superuser.query(`UPDATE email_inbound SET received_at = now() - interval '31 days' WHERE org_id = $1 AND status = 'failed'`, [org.id]);
    const failedBefore = await t.superuser.query(`SELECT count(*)::int AS n FROM email_inbound WHERE org_id = $1 AND status = 'failed'`, [org.id]);
    expect(failedBefore.rows[0].n).toBeGreaterThan(0);
    await t.app.get(JobRegistry).dispatch(JobName.EmailRequeue, { scope: 'all-orgs' });
    await drain();
    expect(await inboundRows(id)).toEqual([expect.objectContaining({ status: 'done' })]);
    expect(await postsBySource(id)).toHaveLength(1);
    const failedAfter = await t.superuser.query(`SELECT count(*)::int AS n FROM email_inbound WHERE org_id = $1 AND status = 'failed'`, [org.id]);
    expect(failedAfter.rows[0].n).toBe(0);
  });

  it('a compliance export carries the original message (raw MIME) of each emailed post, byte for byte', async () => {
    const id = messageId();
    await signed.sendMail({ from: ann.email, to: groupAddress(), subject: 'For the record', text: 'Keep this', messageId: id });
    await drain();
    const [post] = await postsBySource(id);
    const [stored] = (await t.superuser.query(`SELECT id, raw FROM email_inbound WHERE org_id = $1 AND message_id = $2`, [org.id, id])).rows as Array<{ id: string; raw: Buffer }>;
    const officer = await t.factory.newUser(org, { role: 'compliance' });
    const requested = await api(t.http).post('/api/v1/compliance/exports').set(bearer(officer)).send({ from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 3600_000).toISOString(), formats: ['jsonl', 'attachments'] }).expect(202);
    await drain();
    const dir = await mkdtemp(join(tmpdir(), 'chorus-email-export-'));
    try {
      const files = await readZip(await downloadBundle(t.http, officer.token, requested.body.id as string, join(dir, 'bundle.zip')));
      const path = `attachments/${stored.id}/original.eml`;
      expect(files.get(path)?.equals(stored.raw)).toBe(true);
      const record = files
        .get('posts.jsonl')!
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: string; source: { provenance: Record<string, unknown> } })
        .find((r) => r.id === post.id)!;
      expect(record.source.provenance).toMatchObject({ kind: 'email', messageId: id, originalMessagePath: path });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a post purged by retention takes its stored original message with it; a held one keeps it', async () => {
    const ids = [messageId(), messageId()];
    for (const id of ids) await signed.sendMail({ from: ann.email, to: groupAddress(), subject: 'Short-lived', text: id, messageId: id });
    await drain();
    const [gone] = await postsBySource(ids[0]);
    const [held] = await postsBySource(ids[1]);
    await t.superuser.query(`UPDATE post SET on_hold = true WHERE org_id = $1 AND id = $2`, [org.id, held.id]);
    await t.superuser.query('BEGIN');
    try {
      await t.superuser.query(`SELECT set_config('app.org_id', $1, true)`, [org.id]);
      await t.superuser.query(`SELECT * FROM retention_purge_posts($1::uuid[])`, [[gone.id, held.id]]);
      await t.superuser.query('COMMIT');
    } catch (error) {
      await t.superuser.query('ROLLBACK');
      throw error;
    }
    expect(await inboundRows(ids[0])).toEqual([]);
    expect(await inboundRows(ids[1])).toEqual([expect.objectContaining({ status: 'done' })]);
  });

  describe('provider webhook', () => {
    const webhook = () => api(t.http).post('/integrations/email/inbound');

    it('takes raw MIME with the shared secret into the same pipeline', async () => {
      const id = messageId();
      const raw = await signedRaw({ from: ann.email, to: groupAddress(), subject: 'From the provider', text: 'Via webhook', messageId: id });
      const res = await webhook().set('Authorization', `Bearer ${WEBHOOK_SECRET}`).set('Content-Type', 'message/rfc822').send(raw).expect(200);
      expect(res.body).toMatchObject({ status: 'accepted', stored: 1, messageId: id });
      await drain();
      const [post] = await postsBySource(id);
      expect(post).toMatchObject({ groupId, body: 'From the provider\n\nVia webhook' });
      expect(post.provenance).toMatchObject({ channel: 'webhook' });
    });

    it("takes SendGrid's raw form (email + envelope), authenticated with Basic auth in the URL", async () => {
      const id = messageId();
      const raw = await signedRaw({ from: bob.email, to: 'someone-else@example.test', subject: 'Form post', text: 'Via SendGrid', messageId: id });
      const res = await webhook()
        .auth('sendgrid', WEBHOOK_SECRET)
        .field('email', raw)
        .field('envelope', JSON.stringify({ to: [groupAddress()], from: bob.email }))
        .field('sender_ip', '192.0.2.10')
        .expect(200);
      expect(res.body).toMatchObject({ status: 'accepted', stored: 1 });
      await drain();
      expect(await postsBySource(id)).toEqual([expect.objectContaining({ authorId: bob.id, groupId })]);
    });

    it("takes Mailgun's MIME form (body-mime + recipient) on /inbound/mime", async () => {
      const id = messageId();
      const raw = await signedRaw({ from: ann.email, to: groupAddress(), subject: 'Via Mailgun', text: 'Forwarded', messageId: id });
      const res = await api(t.http)
        .post('/integrations/email/inbound/mime')
        .auth('api', WEBHOOK_SECRET)
        .field('body-mime', raw)
        .field('recipient', groupAddress())
        .field('sender', ann.email)
        .expect(200);
      expect(res.body).toMatchObject({ status: 'accepted', stored: 1 });
      await drain();
      expect(await postsBySource(id)).toEqual([expect.objectContaining({ authorId: ann.id, body: 'Via Mailgun\n\nForwarded' })]);
    });

    it('refuses a wrong or missing secret with 401, and answers a refused message 200 with the reason and a bounce', async () => {
      expectProblem(await webhook().set('Content-Type', 'message/rfc822').send('From: x@y\r\n\r\nhi'), 401, 'email_webhook_unauthorized');
      expectProblem(await webhook().set('Authorization', 'Bearer wrong-secret-000000000').set('Content-Type', 'message/rfc822').send('x'), 401, 'email_webhook_unauthorized');

      const id = messageId();
      const raw = `From: ${ann.email}\r\nTo: ${groupAddress()}\r\nSubject: Unsigned via provider\r\nMessage-ID: ${id}\r\n\r\nNo signature\r\n`;
      const res = await webhook().set('Authorization', `Bearer ${WEBHOOK_SECRET}`).set('Content-Type', 'message/rfc822').send(raw).expect(200);
      expect(res.body).toMatchObject({ status: 'refused', code: 'email_not_authenticated' });
      await drain();
      const bounce = await catcher.waitFor((m) => m.envelopeTo.includes(ann.email.toLowerCase()) && m.parsed.text?.includes('DKIM') === true);
      expect(bounce.parsed.subject).toMatch(/not posted/i);
      expect(await inboundRows(id)).toEqual([]);
    });
  });
});

describe('Email inbound: hourly limits per sender and per org', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: '', POSTING_DOMAIN: DOMAIN, SECRETS_KEY, EMAIL_MAX_PER_SENDER_PER_HOUR: '2', EMAIL_MAX_PER_ORG_PER_HOUR: '3' });
    t.app.get(EmailAuthenticator).useResolver(fakeResolver({ [`${corpKey.selector}._domainkey.${CORP}`]: corpKey.txt }));
    port = await t.app.get(EmailSmtpListener).start(0, '127.0.0.1');
  });
  afterAll(async () => {
    await t.app.get(EmailSmtpListener).stop();
    await t.close();
  });

  it('turns a sender over its budget away at MAIL FROM, and an org over its budget at RCPT, with 450', async () => {
    const org = await t.factory.newOrg();
    const users = await Promise.all(['ann', 'bob', 'cem'].map((n) => t.factory.newUser(org, { email: `${n}.${randomUUID().slice(0, 6)}@${CORP}` })));
    await api(t.http).patch('/api/v1/org').set(bearer(org.admin)).send({ settings: { companyPosting: 'everyone' } }).expect(200);
    const client = smtpClient(port, { dkim: { domainName: CORP, keySelector: corpKey.selector, privateKey: corpKey.privateKey } });
    const send = (from: string) => client.sendMail({ from, to: `company@${org.slug}.${DOMAIN}`, subject: 'Hi', text: 'Hello', messageId: `<${randomUUID()}@${CORP}>` });

    await send(users[0].email);
    await send(users[0].email);
    const sender = (await send(users[0].email).catch((e: unknown) => e)) as SmtpFailure;
    expect(sender.responseCode).toBe(450);
    expect(sender.response).toMatch(/^450 4\.7\.1 Too many messages from this sender/);

    await send(users[1].email);
    const orgWide = (await send(users[2].email).catch((e: unknown) => e)) as SmtpFailure;
    expect(orgWide.responseCode).toBe(450);
    expect(orgWide.response).toMatch(/^450 4\.7\.1 Too many messages from this organisation/);
    await (t.app.get(JobQueue) as InProcessJobQueue).drain();
    const posted = await t.superuser.query(`SELECT count(*)::int AS n FROM post WHERE org_id = $1 AND source = 'email'`, [org.id]);
    expect(posted.rows[0].n).toBe(3);
  });
});
