import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { bearer } from '../factories/factory.js';
import { smtpClient } from '../helpers/mail.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';

const DOMAIN = 'chorus.test';

/**
 * The production shape: `npm run start:mail` (the compiled mail listener, its own process) with
 * STARTTLS, and a BullMQ worker process that parses and posts what the listener stored.
 */
describe('the mail listener process (start:mail) with STARTTLS and a worker', () => {
  let t: TestApp;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  const start = (script: string): ChildProcess => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.on('data', (c: Buffer) => process.stderr.write(c));
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chorus-mail-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=mx.chorus.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], {
      stdio: 'ignore',
    });
    const overrides = { REDIS_PREFIX: `${process.env.REDIS_PREFIX}-mail`, SECRETS_KEY: randomBytes(32).toString('hex'), POSTING_DOMAIN: DOMAIN };
    t = await startTestApp(overrides);
    env = {
      ...process.env,
      ...overrides,
      LOG_LEVEL: 'info',
      MIGRATIONS_RUN: 'false',
      SMTP_PORT: '0',
      SMTP_TLS_CERT_FILE: join(dir, 'cert.pem'),
      SMTP_TLS_KEY_FILE: join(dir, 'key.pem'),
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts mail over STARTTLS, the worker posts it, and SIGTERM closes the listener cleanly', async () => {
    const org = await t.factory.newOrg();
    const ann = await t.factory.newUser(org, { email: `ann.${randomUUID().slice(0, 6)}@corp.test` });
    const name = `Ops ${randomUUID().slice(0, 6)}`;
    const group = await api(t.http).post('/api/v1/groups').set(bearer(ann)).send({ name }).expect(201);
    await api(t.http).patch('/api/v1/org').set(bearer(org.admin)).send({ settings: { emailSecretAddresses: true } }).expect(200);
    const secret = await api(t.http).post(`/api/v1/groups/${group.body.id}/email-address/secret`).set(bearer(ann)).expect(201);

    const mail = start('dist/src/mail.js');
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('mail listener did not start')), 20_000);
      createInterface({ input: mail.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; port?: number; starttls?: boolean };
        if (entry.msg === 'Chorus mail listener started') {
          clearTimeout(timer);
          expect(entry.starttls).toBe(true);
          resolve(entry.port!);
        }
      });
      mail.once('exit', (code) => reject(new Error(`mail listener exited with ${code}`)));
    });
    const worker = start('dist/src/worker.js');

    const messageId = `<${randomUUID()}@corp.test>`;
    // requireTLS: the client refuses to send unless the session was upgraded with STARTTLS.
    const info = await smtpClient(port, { requireTLS: true }).sendMail({
      from: ann.email,
      to: secret.body.address as string,
      subject: 'Over TLS',
      text: 'Posted through the mail process',
      messageId,
    });
    expect(info.response).toMatch(/^250 /);

    const end = Date.now() + 20_000;
    let posts: Array<{ body: string; groupId: string }> = [];
    while (posts.length === 0 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      posts = (
        await t.superuser.query(`SELECT body, group_id AS "groupId" FROM post WHERE org_id = $1 AND source = 'email' AND source_ref LIKE $2`, [org.id, `${messageId}#%`])
      ).rows;
    }
    expect(posts).toEqual([{ body: 'Over TLS\n\nPosted through the mail process', groupId: group.body.id }]);

    const exited = new Promise<number | null>((resolve) => mail.once('exit', (code) => resolve(code)));
    mail.kill('SIGTERM');
    expect(await exited).toBe(0);
    worker.kill('SIGTERM');
  });
});
