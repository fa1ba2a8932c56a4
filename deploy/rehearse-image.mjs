// Rehearses deploy/Dockerfile without a container runtime (there is none on the build machines,
// and base images cannot be pulled there): the Dockerfile is parsed and its steps are carried out
// in a scratch directory, one directory per stage standing for the stage's file system. The build
// stage gets exactly the files its COPY lines name, runs its RUN lines (npm ci, the build, the
// prune); the runtime stage gets only what it copies from the build stage. Then every role the
// image serves is started from the runtime directory, as the image's USER, with the image's ENV:
// the migration command and the worker and mail commands of docker-compose.yml, and the API as
// the image's CMD, whose HEALTHCHECK command must pass, whose /readyz must be ready and which must
// serve the web app. All of them must exit 0 on SIGTERM.
//
// What this proves: the build works from the files the Dockerfile copies (nothing the build needs
// is left out), the pruned runtime has every module the roles load, and the commands, paths, user
// and health check are right. What it cannot prove: the base image itself (Node 26 on Debian
// trixie there, this machine's Node here) and the container runtime's behaviour.
//
//   node deploy/rehearse-image.mjs [--keep]
// Needs PostgreSQL (TEST_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres), Redis
// (TEST_REDIS_URL or REDIS_URL, default redis://127.0.0.1:6379/0) and the npm registry (for npm ci). Prints one JSON
// line with every check and exits 0 when all passed.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import YAML from 'yaml';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';
const checks = [];
const check = (name, ok, detail) => {
  checks.push({ name, ok: Boolean(ok), ...(detail === undefined ? {} : { detail }) });
  if (!ok) process.stderr.write(`FAILED: ${name}${detail === undefined ? '' : ` (${typeof detail === 'string' ? detail : JSON.stringify(detail)})`}\n`);
};

/** Instructions of a Dockerfile, continuation lines joined, comments and the parser directive dropped. */
export function parseDockerfile(text) {
  const lines = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) lines.push(current.trim());
    current = '';
  }
  const args = {};
  const stages = [];
  for (const line of lines) {
    const [, op, rest] = /^(\w+)\s+([\s\S]*)$/.exec(line) ?? [];
    const expand = (s) => s.replace(/\$\{(\w+)\}/g, (_m, k) => args[k] ?? '');
    switch (op?.toUpperCase()) {
      case 'ARG': {
        const [k, v] = rest.split('=');
        args[k] = v ?? '';
        if (stages.length) stages.at(-1).steps.push({ op: 'ARG', rest });
        break;
      }
      case 'FROM': {
        const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(expand(rest));
        stages.push({ image, name: name ?? String(stages.length), steps: [] });
        break;
      }
      default:
        if (!stages.length) throw new Error(`${op} before FROM`);
        stages.at(-1).steps.push({ op: op.toUpperCase(), rest: expand(rest) });
    }
  }
  return stages;
}

const json = (rest) => (rest.trim().startsWith('[') ? JSON.parse(rest) : ['sh', '-c', rest]);

/** Carries out a stage's steps in its directory; returns what the runtime needs to know. */
function build(stage, dirs) {
  const root = join(dirs.work, stage.name);
  mkdirSync(root, { recursive: true });
  dirs[stage.name] = root;
  const inRoot = (p) => join(root, p);
  const out = { root, workdir: root, env: {}, user: null, cmd: null, healthcheck: null, expose: [] };
  for (const { op, rest } of stage.steps) {
    switch (op) {
      case 'WORKDIR':
        out.workdir = inRoot(rest.trim());
        mkdirSync(out.workdir, { recursive: true });
        break;
      case 'COPY': {
        const parts = rest.trim().split(/\s+/);
        const from = parts[0].startsWith('--from=') ? parts.shift().slice('--from='.length) : null;
        const dest = parts.pop();
        for (const src of parts) {
          const source = from ? join(dirs[from], src) : join(repo, src);
          if (!existsSync(source)) throw new Error(`COPY ${src}: not found${from ? ` in stage ${from}` : ' in the repository'}`);
          const target = dest.startsWith('/') ? inRoot(dest) : join(out.workdir, dest);
          const into = dest.endsWith('/') ? join(target, src.split('/').filter(Boolean).pop()) : target;
          mkdirSync(dirname(into), { recursive: true });
          cpSync(source, into, { recursive: true, verbatimSymlinks: true });
        }
        break;
      }
      case 'RUN': {
        // Absolute paths of the image (/app, /data) live under the stage's directory here.
        const command = rest.replace(/(^|[\s=])\/(app|data)(?=[/\s]|$)/g, (_m, pre, top) => `${pre}${root}/${top}`);
        const t = performance.now();
        execFileSync('sh', ['-c', command], { cwd: out.workdir, env: { ...process.env, ...out.env, CI: 'true' }, stdio: ['ignore', 2, 2] }); // stdout stays the report's
        check(`${stage.name}: RUN ${rest.slice(0, 80)}`, true, `${((performance.now() - t) / 1000).toFixed(1)} s`);
        break;
      }
      case 'ENV':
        for (const m of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g)) out.env[m[1]] = m[2].replace(/^"|"$/g, '');
        break;
      case 'USER':
        out.user = rest.trim();
        break;
      case 'CMD':
        out.cmd = json(rest);
        break;
      case 'HEALTHCHECK': {
        const [, cmd] = /\bCMD\s+([\s\S]*)$/.exec(rest) ?? [];
        out.healthcheck = cmd ? json(cmd) : null;
        break;
      }
      case 'EXPOSE':
        out.expose.push(...rest.trim().split(/\s+/));
        break;
      default:
        break; // ARG, STOPSIGNAL, LABEL: nothing to carry out here
    }
  }
  return out;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what, probe, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  const started = performance.now();
  const stages = parseDockerfile(readFileSync(join(repo, 'deploy/Dockerfile'), 'utf8'));
  check('Dockerfile: multi-stage', stages.length >= 2, stages.map((s) => `${s.name} from ${s.image}`));
  const work = mkdtempSync(join(tmpdir(), 'chorus-image-'));
  chmodSync(work, 0o755); // the image's user must reach the runtime files
  const dirs = { work };
  const db = `chorus_image_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  const children = [];
  let connected = false;
  let built;
  try {
    for (const stage of stages) built = build(stage, dirs);
    const runtime = built;
    const [imageUid, imageGid] = (runtime.user ?? '0').split(':').map(Number);
    check('runtime: a numeric non-root USER', Number.isInteger(imageUid) && imageUid > 0, runtime.user);
    // Only root can start a process as another user; elsewhere the roles run as the caller.
    const asRoot = process.getuid?.() === 0;
    const uid = asRoot ? imageUid : undefined;
    const gid = asRoot ? (imageGid ?? imageUid) : undefined;
    check(asRoot ? `roles run as the image user ${runtime.user}` : 'roles run as the current user (not root: cannot switch to the image user)', true);
    check('runtime: a HEALTHCHECK', runtime.healthcheck !== null, runtime.healthcheck);
    // Dev-only packages (nothing in production depends on them) must have been pruned.
    const devOnly = ['jest', '@nestjs/cli', 'vite', 'playwright-core', 'autocannon'].filter((m) => existsSync(join(runtime.workdir, 'node_modules', m)));
    check('runtime: no sources and no dev-only packages', !existsSync(join(runtime.workdir, 'src')) && devOnly.length === 0, devOnly.length ? devOnly : undefined);
    check('runtime: the web app is in the image', existsSync(join(runtime.workdir, 'dist/web/index.html')));

    await admin.connect();
    connected = true;
    await admin.query(`CREATE DATABASE ${db}`);
    const port = await freePort();
    const smtpPort = await freePort();
    const data = join(runtime.root, 'data');
    const env = {
      PATH: process.env.PATH,
      ...runtime.env,
      HOST: '127.0.0.1',
      SMTP_HOST: '127.0.0.1',
      PORT: String(port),
      SMTP_PORT: String(smtpPort),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: adminUrl.replace(/\/[^/]*$/, `/${db}`),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `chorus-image-${Date.now()}`,
      SECRETS_KEY: randomBytes(32).toString('base64'),
      POSTING_DOMAIN: 'image.test',
      ATTACHMENT_DIR: join(data, 'attachments'),
      EXPORT_DIR: join(data, 'exports'),
      LOG_LEVEL: 'warn',
      MIGRATIONS_RUN: 'false',
    };
    const compose = YAML.parse(readFileSync(join(repo, 'deploy/docker-compose.yml'), 'utf8'));
    const command = (service) => compose.services[service]?.command;
    const run = (name, argv) => {
      const child = spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), { cwd: runtime.workdir, env, uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });
      child.tail = '';
      const keepTail = (c) => (child.tail = (child.tail + c.toString()).slice(-4000));
      child.stdout.on('data', keepTail);
      child.stderr.on('data', keepTail);
      child.role = name;
      child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      children.push(child);
      return child;
    };

    const migrate = run('migrate', command('migrate'));
    const migrated = await migrate.exited;
    check('migrate (compose command) exits 0 as the image user', migrated.code === 0, migrated.code === 0 ? undefined : migrate.tail);
    const api = run('api', runtime.cmd);
    const worker = run('worker', command('worker'));
    const mail = run('mail', command('mail'));
    const base = `http://127.0.0.1:${port}`;
    const ready = await until('/readyz', async () => (await fetch(`${base}/readyz`)).ok, 60_000).catch((e) => String(e));
    check('api (image CMD): /readyz answers 200', ready === true, ready === true ? undefined : api.tail);
    const health = spawn(runtime.healthcheck[0] === 'node' ? process.execPath : runtime.healthcheck[0], runtime.healthcheck.slice(1), { cwd: runtime.workdir, env, uid, gid });
    const healthExit = await new Promise((resolve) => health.on('exit', resolve));
    check('HEALTHCHECK command exits 0', healthExit === 0, healthExit);
    const page = await fetch(`${base}/`).then(async (r) => ({ status: r.status, html: await r.text() }));
    check('api serves the web app at /', page.status === 200 && /<div id="root">/.test(page.html), page.status);
    const smtpUp = await until('the mail listener', () => new Promise((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true)); // the port is taken: the listener is up
      s.listen(smtpPort, '127.0.0.1', () => s.close(() => resolve(null)));
    }), 30_000).catch((e) => String(e));
    check('mail (compose command) listens on SMTP_PORT', smtpUp === true, smtpUp === true ? undefined : mail.tail);
    await new Promise((r) => setTimeout(r, 1000));
    check('worker (compose command) is running', worker.exitCode === null, worker.exitCode === null ? undefined : worker.tail);

    for (const child of [api, worker, mail]) child.kill('SIGTERM');
    for (const child of [api, worker, mail]) {
      const { code, signal } = await Promise.race([child.exited, new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 30_000))]);
      check(`${child.role} exits 0 on SIGTERM`, code === 0, code === 0 ? undefined : { code, signal, tail: child.tail.slice(-800) });
    }
  } catch (error) {
    check('rehearsal ran to the end', false, String(error?.stack ?? error));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (connected) {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    }
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
  const failed = checks.filter((c) => !c.ok).length;
  console.log(JSON.stringify({ ok: failed === 0, seconds: +((performance.now() - started) / 1000).toFixed(1), work: keep ? work : undefined, checks }));
  process.exit(failed === 0 ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
