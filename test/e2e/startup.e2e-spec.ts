import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

/** `npm start` with no environment: compiled entry point, embedded PostgreSQL, single-node jobs. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

const bareEnv = (extra: Record<string, string>) => {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'info' };
  return { ...env, ...extra };
};

function startServer(env: Record<string, string>): { proc: ChildProcess; output: () => string } {
  let out = '';
  const proc = spawn(process.execPath, ['dist/src/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out };
}

async function waitReady(port: number, timeoutMs = 60_000): Promise<Response> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error('server did not become ready');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const stop = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });

describe('npm start with no configuration', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chorus-start-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs on an embedded PostgreSQL kept under DATA_DIR across restarts', async () => {
    const env = bareEnv({ DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_PG_PORT: String(await freePort()) });
    const first = startServer(env);
    const ready = await waitReady(Number(env.PORT));
    expect(await ready.json()).toMatchObject({ status: 'ok', details: { postgres: { status: 'up' } } });
    expect(first.output()).toContain('single-node mode');

    // The CLI, run beside the server, reuses its embedded database.
    const created = await runCli(
      ['org:create', '--slug', 'persist', '--name', 'Persist', '--admin-email', 'a@persist.test', '--admin-password', 'a-long-password-1'],
      // Empty values override the test run's DATABASE_URL and REDIS_URL, as if they were unset.
      { DATA_DIR: dataDir, EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT, DATABASE_URL: '', REDIS_URL: '' },
    );
    expect(created.code).toBe(0);
    expect(await stop(first.proc)).toBe(0);

    // Single node with POSTING_DOMAIN: the same process serves the web app and listens for mail.
    const smtpPort = await freePort();
    const second = startServer({ ...env, POSTING_DOMAIN: 'chorus.test', SMTP_PORT: String(smtpPort) });
    await waitReady(Number(env.PORT));
    const page = await fetch(`http://127.0.0.1:${env.PORT}/groups`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('<div id="root"></div>');
    const banner = await new Promise<string>((resolve, reject) => {
      const socket = connect(smtpPort, '127.0.0.1');
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.end('QUIT\r\n');
      });
      socket.once('error', reject);
    });
    expect(banner).toMatch(/^220 .*Chorus ESMTP/);
    const login = await fetch(`http://127.0.0.1:${env.PORT}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ org: 'persist', email: 'a@persist.test', password: 'a-long-password-1' }),
    });
    expect(login.status).toBe(200);
    expect(await stop(second.proc)).toBe(0);
  }, 120_000);

  it('refuses to start on an invalid setting, naming it', async () => {
    const server = startServer(bareEnv({ DATA_DIR: dataDir, PORT: 'eighty' }));
    const code = await new Promise<number | null>((resolve) => server.proc.once('exit', resolve));
    expect(code).toBe(78);
    expect(server.output()).toMatch(/Invalid configuration:\n\s+PORT: must be a number \(got "eighty"\)/);
  });
});
