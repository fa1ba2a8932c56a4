// The scale benchmark (`npm run bench`): seeds a scratch database, starts the API and a worker,
// and measures the read endpoints against two ceilings (pgbench and a bare node:http + pg
// server running the same SQL), post creation with live delivery, a compliance export and a
// retention sweep. Writes bench/results/<date>.json and the table in bench/README.md.
// All traffic is on loopback. See bench/README.md, "Scale benchmark".
//
//   node bench/run.mjs [--scale 0.05] [--posts N --users N --groups N --memberships N --follows N --expired N]
//                      [--keep] [--db chorus_bench] [--duration 10] [--warmup 2] [--only reads,post,export,sweep]
//                      [--sse 50] [--port 3100] [--tag T] [--no-readme] [--merge results.json] [--worker-node-options '--max-old-space-size=128']
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runPgbench } from './lib/pgbench.mjs';
import { BIG_ORG_SQL, counts, groupIdSql, seedExpired, seedMain, sizes, userIdSql } from './lib/seed.mjs';
import { api, cannon, cpuSnapshot, cpuSplit, log, measure, percentile, rssSampler, sleep, sse, startNode, stopProcess, summary, waitForHttp } from './lib/util.mjs';
import { writeReport } from './lib/report.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const num = (name) => (opt(name) !== undefined ? Number(opt(name)) : undefined);
const z = sizes({ scale: num('scale') ?? 1, posts: num('posts'), users: num('users'), groups: num('groups'), memberships: num('memberships'), follows: num('follows'), expired: num('expired'), orgs: num('orgs') });
const DB = opt('db') ?? 'chorus_bench';
process.env.BENCH_DB = DB;
const ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE_URL = ADMIN.replace(/\/[^/]*$/, `/${DB}`);
const PORT = Number(opt('port') ?? 3100);
const BARE_PORT = PORT + 1;
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(opt('duration') ?? 10);
const WARMUP = Number(opt('warmup') ?? 2);
const ONLY = new Set((opt('only') ?? 'reads,post,export,sweep').split(','));
const SSE_CLIENTS = Number(opt('sse') ?? 50);
const started = new Date();
const work = mkdtempSync(join(tmpdir(), 'chorus-bench-'));
const appEnv = {
  NODE_ENV: 'production',
  HOST: '127.0.0.1',
  PORT: String(PORT),
  PUBLIC_URL: BASE,
  DATABASE_URL,
  REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  REDIS_PREFIX: 'chorus-bench',
  LOG_LEVEL: 'warn',
  MIGRATIONS_RUN: 'false',
  SECRETS_KEY: randomBytes(32).toString('base64'),
  EXPORT_DIR: join(work, 'exports'),
  ATTACHMENT_DIR: join(work, 'attachments'),
  WEB_DIR: join(work, 'no-web'),
};
const results = { date: started.toISOString(), machine: {}, dataset: {}, seed: {}, endpoints: {}, post: null, export: null, sweep: null, notes: [] };
const procs = [];

function machine() {
  const pgv = execFileSync('psql', [ADMIN, '-Atc', 'SHOW server_version']).toString().trim();
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: pgv,
    pgbench: execFileSync('pgbench', ['--version']).toString().trim(),
    autocannon: JSON.parse(readFileSync(join(root, 'node_modules/autocannon/package.json'), 'utf8')).version,
    autovacuum: execFileSync('psql', [ADMIN, '-Atc', 'SHOW autovacuum']).toString().trim(),
    redis: execFileSync('redis-cli', ['-u', appEnv.REDIS_URL, 'INFO', 'server']).toString().match(/redis_version:(\S+)/)?.[1] ?? null,
  };
}

async function cli(args, env = {}) {
  return execFileSync(process.execPath, [join(root, 'dist/src/cli.js'), ...args], { env: { ...process.env, ...appEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

async function prepareDatabase() {
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [DB])).rowCount > 0;
  let reuse = false;
  if (flag('keep') && exists) {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    reuse = (await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'bench'`)).rowCount > 0;
    await c.end();
  }
  if (!reuse) {
    log(`creating database ${DB}`);
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB}`);
  }
  await admin.end();
  const t = performance.now();
  await cli(['migration:run']);
  results.seed.migrateSeconds = +((performance.now() - t) / 1000).toFixed(1);
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  if (!reuse) {
    log(`seeding ${JSON.stringify(z)} (generated in Node, loaded with COPY … FROM STDIN)`);
    results.seed.main = await seedMain(client, z, (m) => log(m));
  } else {
    log('reusing the seeded database (--keep)');
    results.seed.reused = true;
  }
  // SECRETS_KEY seals each org's export signing key: keep one per bench database, so --keep runs
  // can still sign (a key from a lost SECRETS_KEY is dropped; the app makes a new one on use).
  await client.query(`CREATE TABLE IF NOT EXISTS bench.settings (secrets_key text NOT NULL)`);
  const saved = (await client.query(`SELECT secrets_key FROM bench.settings`)).rows[0]?.secrets_key;
  if (saved) appEnv.SECRETS_KEY = saved;
  else {
    await client.query(`INSERT INTO bench.settings VALUES ($1)`, [appEnv.SECRETS_KEY]);
    await client.query(`DELETE FROM export_signing_key`);
  }
  return client;
}

/** An API token for user i of the big org, written as token:create would (sha256 of the secret). */
async function directToken(client, i) {
  const token = `chorus_${randomBytes(32).toString('base64url')}`;
  await client.query(
    `INSERT INTO api_token (org_id, user_id, name, prefix, token_hash) VALUES (${BIG_ORG_SQL}, ${userIdSql(1, i)}, 'bench', $1, $2)`,
    [token.slice(0, 12), createHash('sha256').update(token).digest()],
  );
  return token;
}

async function main() {
  results.machine = machine();
  results.dataset.requested = z;
  const db = await prepareDatabase();
  const q1 = async (sql, p) => (await db.query(sql, p)).rows[0];
  const bigOrg = (await q1(`SELECT ${BIG_ORG_SQL} AS id`)).id;
  const group0 = (await q1(`SELECT ${groupIdSql(1, 0)} AS id`)).id;

  log('tokens (token:create for the reader and the compliance user)');
  const token = JSON.parse(await cli(['token:create', '--org', 'bench-big', '--email', 'user0@big.test', '--name', 'bench'])).token;
  const compliance = JSON.parse(await cli(['token:create', '--org', 'bench-big', '--email', 'user1@big.test', '--name', 'bench'])).token;
  const viewer = (await q1(`SELECT ${userIdSql(1, 0)} AS id`)).id;
  results.dataset.viewer = {
    groups: Number((await q1(`SELECT count(*) n FROM group_membership WHERE org_id = $1 AND user_id = $2`, [bigOrg, viewer])).n),
    follows: Number((await q1(`SELECT count(*) n FROM user_follow WHERE org_id = $1 AND follower_id = $2`, [bigOrg, viewer])).n),
  };

  // The request parameters: a thread with replies, a hashtag, two search terms.
  const thread = await q1(
    `SELECT p.id, p.reply_count FROM post p LEFT JOIN org_group g ON g.org_id = p.org_id AND g.id = p.group_id
     WHERE p.org_id = $1 AND p.parent_id IS NULL AND p.deleted_at IS NULL AND (g.id IS NULL OR g.visibility = 'public')
       AND p.created_at > now() - interval '30 days' ORDER BY least(p.reply_count, 3) DESC, p.created_at DESC LIMIT 1`,
    [bigOrg],
  );
  const search = { q: 'project item42' };
  search.matches = Number((await q1(`SELECT count(*) n FROM post WHERE org_id = $1 AND search @@ websearch_to_tsquery('simple', $2) AND deleted_at IS NULL`, [bigOrg, search.q])).n);
  const endpoints = {
    home: '/api/v1/streams/home',
    group: `/api/v1/streams/groups/${group0}`,
    company: '/api/v1/streams/company',
    thread: `/api/v1/posts/${thread.id}/thread`,
    hashtag: '/api/v1/streams/hashtags/topic7',
    search: `/api/v1/search?q=${encodeURIComponent(search.q).replace(/%20/g, '+')}`,
  };
  results.dataset.parameters = { endpoints, threadReplies: thread.reply_count, search, hashtagPosts: Number((await q1(`SELECT count(*) n FROM post_hashtag WHERE org_id = $1 AND tag = 'topic7'`, [bigOrg])).n) };

  // 1. Record the SQL of one request per endpoint (second request: the first may write last_used_at).
  const recording = {};
  if (ONLY.has('reads')) {
    log('recording the SQL of each read endpoint');
    const file = join(work, 'sql.jsonl');
    writeFileSync(file, '');
    const rec = startNode('api-recording', ['--import', join(root, 'bench/lib/sql-recorder.mjs'), join(root, 'dist/src/main.js')], { ...appEnv, BENCH_SQL_LOG: file });
    procs.push(rec);
    await waitForHttp(`${BASE}/healthz`, rec);
    for (const [name, path] of Object.entries(endpoints)) {
      await api(BASE, token, 'GET', path);
      await sleep(100);
      const before = readFileSync(file, 'utf8').length;
      await api(BASE, token, 'GET', path);
      await sleep(100);
      recording[name] = readFileSync(file, 'utf8').slice(before).split('\n').filter(Boolean).map((l) => JSON.parse(l))
        .filter((s) => !/^UPDATE (api_token|user_session) SET last_/.test(s.text))
        .map(({ text, name: n, values }) => ({ text, name: n, values }));
    }
    await stopProcess(rec);
    writeFileSync(join(work, 'recording.json'), JSON.stringify(recording));
    results.recordedStatements = Object.fromEntries(Object.entries(recording).map(([k, v]) => [k, v.length]));
  }

  // 2. The app: API + worker. Jobs an interrupted earlier run left queued would run in this
  // worker and load the machine while it is measured: the bench's queue prefix starts empty.
  const stale = execFileSync('redis-cli', ['-u', appEnv.REDIS_URL, '--scan', '--pattern', `${appEnv.REDIS_PREFIX}*`]).toString().split('\n').filter(Boolean);
  for (let i = 0; i < stale.length; i += 500) execFileSync('redis-cli', ['-u', appEnv.REDIS_URL, 'DEL', ...stale.slice(i, i + 500)]);
  await db.query(`UPDATE compliance_export SET status = 'failed', error = 'left by an interrupted bench run' WHERE status IN ('queued', 'running')`);
  log('starting API and worker');
  const apiProc = startNode('api', [join(root, 'dist/src/main.js')], appEnv);
  const txLog = join(work, 'tx.jsonl');
  writeFileSync(txLog, '');
  const worker = startNode('worker', ['--import', join(root, 'bench/lib/sql-recorder.mjs'), join(root, 'dist/src/worker.js')], { ...appEnv, BENCH_TX_LOG: txLog, ...(opt('worker-node-options') ? { NODE_OPTIONS: opt('worker-node-options') } : {}) });
  procs.push(apiProc, worker);
  await waitForHttp(`${BASE}/healthz`, apiProc);
  await sleep(1000);
  const auth = { Authorization: `Bearer ${token}` };

  if (ONLY.has('reads')) {
    for (const [name, path] of Object.entries(endpoints)) {
      const a = cpuSnapshot({ api: apiProc.pid });
      const ours = await measure(BASE + path, auth, { warmup: WARMUP, duration: DURATION });
      const cpu = cpuSplit(a, cpuSnapshot({ api: apiProc.pid }));
      results.endpoints[name] = { path, ours: { ...ours, cpu } };
      log(`${name}: ${ours.reqPerSec} req/s p50 ${ours.p50ms} p99 ${ours.p99ms} (non2xx ${ours.non2xx}) cpu ${JSON.stringify(cpu)}`);
    }
    // Ceiling: bare node:http + pg with the same statements (the API is idle meanwhile).
    const bare = startNode('bare', [join(root, 'bench/lib/bare-server.mjs'), join(work, 'recording.json'), String(BARE_PORT)], { DATABASE_URL });
    procs.push(bare);
    await waitForHttp(`http://127.0.0.1:${BARE_PORT}/home`, bare);
    for (const name of Object.keys(endpoints)) {
      const a = cpuSnapshot({ bare: bare.pid });
      const r = await measure(`http://127.0.0.1:${BARE_PORT}/${name}`, {}, { warmup: WARMUP, duration: DURATION });
      results.endpoints[name].bare = { ...r, cpu: cpuSplit(a, cpuSnapshot({ bare: bare.pid })) };
      log(`bare ${name}: ${r.reqPerSec} req/s p50 ${r.p50ms} p99 ${r.p99ms} (non2xx ${r.non2xx})`);
    }
    await stopProcess(bare);
    // Ceiling: pgbench with the same statements.
    for (const name of Object.keys(endpoints)) {
      const r = await runPgbench({ db: DB, stmts: recording[name], seconds: DURATION });
      results.endpoints[name].pgbench = r;
      log(`pgbench ${name}: ${r.tps} tps p50 ${r.p50ms} p99 ${r.p99ms}${r.error ? ` ERROR ${r.error}` : ''}`);
    }
    // Where the database time goes: EXPLAIN ANALYZE of every recorded statement, as the app role.
    for (const name of Object.keys(endpoints)) results.endpoints[name].explain = await explain(recording[name], bigOrg);
  }

  if (ONLY.has('post')) results.post = await postAndLive({ db, token, group0, apiProc });
  if (ONLY.has('export')) results.export = await exportRun({ db, compliance, bigOrg, worker });
  if (ONLY.has('sweep')) results.sweep = await sweepRun({ db, compliance, bigOrg, worker, auth, txLog, apiProc });

  // --merge FILE: sections not run now are taken from an earlier results file (same dataset).
  if (opt('merge')) {
    const old = JSON.parse(readFileSync(opt('merge'), 'utf8'));
    const taken = [];
    if (!ONLY.has('reads')) { results.endpoints = old.endpoints; results.recordedStatements = old.recordedStatements; taken.push('reads'); }
    for (const k of ['post', 'export', 'sweep']) if (!ONLY.has(k)) { results[k] = old[k]; taken.push(k); }
    if (!ONLY.has('sweep')) results.seed.expired = old.seed?.expired;
    results.seed.main ??= old.seed?.main;
    results.merged = { from: opt('merge'), date: old.date, sections: taken };
  }
  results.dataset.counted = await counts(db);
  await db.end();
  await Promise.all(procs.map((p) => stopProcess(p)));
  results.seconds = Math.round((Date.now() - started.getTime()) / 1000);
  const day = started.toISOString().slice(0, 10);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  const out = join(root, 'bench/results', `${day}${opt('tag') ? `-${opt('tag')}` : ''}.json`);
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  if (!flag('no-readme')) writeReport(join(root, 'bench/README.md'), results, out.slice(root.length + 1));
  log(`results: ${out}`);
}

async function explain(stmts, orgId) {
  const c = new pg.Client({ connectionString: DATABASE_URL, options: '-c role=chorus_app' });
  await c.connect();
  const out = [];
  try {
    await c.query(`BEGIN; SELECT set_config('app.org_id', '${orgId}', true)`);
    // Twice: the first run of a session pays for catalog lookups and planning; the second is what a pooled connection sees.
    for (const s of [...stmts, ...stmts]) {
      if (!s.name || !/^\s*(SELECT|WITH)/i.test(s.text)) continue;
      const values = s.values.map((v) => (v && typeof v === 'object' && '$bytea' in v ? Buffer.from(v.$bytea, 'hex') : v));
      const plan = (await c.query({ text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${s.text}`, values })).rows.map((r) => r['QUERY PLAN']);
      const exec = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1]);
      const planning = Number(/Planning Time: ([\d.]+)/.exec(plan.join('\n'))?.[1]);
      if (out.length >= stmts.filter((x) => x.name && /^\s*(SELECT|WITH)/i.test(x.text)).length) out.shift();
      out.push({ sql: s.text.replace(/\s+/g, ' ').slice(0, 160), planningMs: planning, executionMs: exec, plan: plan.slice(0, 40).join('\n') });
    }
    await c.query('ROLLBACK');
  } catch (e) {
    out.push({ error: String(e) });
    await c.query('ROLLBACK').catch(() => undefined);
  } finally {
    await c.end();
  }
  return out;
}

/**
 * One purge batch profiled and rolled back: the sweep's own selection (company scope, replies
 * first, batch of RETENTION_BATCH_SIZE = 2000) and retention_purge_posts() as the app role, with
 * auto_explain logging every nested statement with its time and trigger time to this client.
 */
async function profilePurge(orgId) {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  const logs = [];
  c.on('notice', (n) => logs.push(n.message));
  try {
    await c.query(`LOAD 'auto_explain'`);
    await c.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_nested_statements = on;
      SET auto_explain.log_triggers = on; SET auto_explain.log_timing = on; SET client_min_messages = log`);
    await c.query(`BEGIN; SET LOCAL ROLE chorus_app; SELECT set_config('app.org_id', '${orgId}', true)`);
    const due = (await c.query(
      `SELECT p.id FROM post p WHERE p.org_id = $1 AND p.group_id IS NULL AND NOT p.on_hold AND p.created_at < now() - interval '390 days'
         AND p.parent_id IS NOT NULL ORDER BY p.created_at, p.id LIMIT 2000`, [orgId])).rows.map((r) => r.id);
    logs.length = 0;
    const t = performance.now();
    const purged = (await c.query(`SELECT * FROM retention_purge_posts($1::uuid[])`, [due])).rowCount;
    const ms = performance.now() - t;
    await c.query('ROLLBACK');
    const statements = logs
      .map((m) => ({ ms: Number(/duration: ([\d.]+) ms/.exec(m)?.[1]), text: (/Query Text: ([^\n]*)/.exec(m)?.[1] ?? '').trim().slice(0, 140),
        triggers: [...m.matchAll(/Trigger ([^:]+): time=([\d.]+) calls=(\d+)/g)].map((x) => `${x[1]} ${x[2]} ms × ${x[3]}`) }))
      .filter((x) => !Number.isNaN(x.ms))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 12);
    return { batch: due.length, purged, ms: +ms.toFixed(1), statements };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    return { error: String(e) };
  } finally {
    await c.end();
  }
}

/** POST /api/v1/posts into the ~500-member group at concurrency 16, with SSE clients of members. */
async function postAndLive({ db, token, group0, apiProc }) {
  log(`post creation with ${SSE_CLIENTS} SSE clients`);
  const n = Math.min(SSE_CLIENTS, Number((await db.query(`SELECT count(*) n FROM group_membership WHERE org_id = ${BIG_ORG_SQL} AND group_id = $1`, [group0])).rows[0].n));
  const tokens = [];
  for (let i = 0; i < n; i++) tokens.push(await directToken(db, i));
  const delays = [];
  let received = 0;
  let measuring = false;
  const sample = [];
  const clients = tokens.map((t) =>
    sse(`${BASE}/api/v1/events`, t, (type, data) => {
      if (sample.length < 3) sample.push({ type, data: data.slice(0, 300) });
      if (type !== 'post.created') return;
      const m = /bench-live (\d+\.\d+)/.exec(data);
      if (!m) return;
      received++;
      if (measuring) delays.push(performance.timeOrigin + performance.now() - Number(m[1]));
    }),
  );
  await Promise.all(clients.map((c) => c.ready));
  await sleep(500);
  const opts = {
    url: `${BASE}/api/v1/posts`,
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ groupId: group0, body: `bench-live ${(performance.timeOrigin + performance.now()).toFixed(3)} load test post` }) }) }],
  };
  await cannon({ ...opts, duration: WARMUP });
  await sleep(2000);
  const since = (await db.query(`SELECT now() AS t`)).rows[0].t;
  measuring = true;
  const a = cpuSnapshot({ api: apiProc.pid });
  const r = summary(await cannon({ ...opts, duration: DURATION }));
  if (r.non2xx) log(`post creation: ${r.non2xx} non-2xx answers:\n${apiProc.tail.slice(-3).join('\n').slice(0, 1500)}`);
  const cpu = cpuSplit(a, cpuSnapshot({ api: apiProc.pid }));
  await sleep(500); // the requests still in flight when autocannon stopped counting
  // Every post created while measuring, counted in the database (autocannon's count leaves out
  // the requests in flight at its end, whose posts are delivered too), times the clients.
  const created = Number((await db.query(`SELECT count(*) n FROM post WHERE org_id = ${BIG_ORG_SQL} AND created_at >= $1 AND body LIKE 'bench-live %'`, [since])).rows[0].n);
  const expected = created * n;
  const until = Date.now() + 30000;
  while (delays.length < expected && Date.now() < until) await sleep(200);
  measuring = false;
  clients.forEach((c) => c.close());
  delays.sort((x, y) => x - y);
  const live = { sample: delays.length ? undefined : sample, clients: n, delivered: delays.length, expected, p50ms: +percentile(delays, 50)?.toFixed(1), p99ms: +percentile(delays, 99)?.toFixed(1), maxMs: +delays[delays.length - 1]?.toFixed(1) };
  log(`post: ${r.reqPerSec}/s p50 ${r.p50ms} p99 ${r.p99ms}; live ${JSON.stringify(live)}`);
  return { ...r, cpu, live };
}

async function exportRun({ db, compliance, bigOrg, worker }) {
  log('compliance export (jsonl + csv) of every post of the big org');
  const posts = Number((await db.query(`SELECT count(*) n FROM post WHERE org_id = $1`, [bigOrg])).rows[0].n);
  const rss = rssSampler(worker.pid, 50);
  const a = cpuSnapshot({ worker: worker.pid });
  const t0 = performance.now();
  const created = await api(BASE, compliance, 'POST', '/api/v1/compliance/exports', { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', formats: ['csv'] });
  let row;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    row = await api(BASE, compliance, 'GET', `/api/v1/compliance/exports/${created.id}`);
    if (['completed', 'failed'].includes(row.status)) break;
    if (worker.exitCode !== null || Date.now() > deadline) throw new Error(`export ${row.status} after ${Math.round((Date.now() - t0) / 1000)} s; worker exit code ${worker.exitCode}`);
    await sleep(250);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSplit(a, cpuSnapshot({ worker: worker.pid }));
  const mem = rss.stop();
  const file = (await db.query(`SELECT file_key, size_bytes, extract(epoch FROM completed_at - started_at) AS job FROM compliance_export WHERE org_id = $1 AND id = $2`, [bigOrg, created.id])).rows[0];
  // Raw COPY of the same rows (posts with every version, the CSV's rows) to /dev/null.
  const t1 = performance.now();
  execFileSync('sh', ['-c', `psql "${DATABASE_URL}" -c "COPY (SELECT p.id, p.author_id, p.group_id, p.parent_id, p.created_at, p.edited_at, p.deleted_at, p.on_hold, p.source, v.version, v.body, v.edited_by, v.created_at FROM post p JOIN post_version v ON v.org_id = p.org_id AND v.post_id = p.id WHERE p.org_id = '${bigOrg}' ORDER BY p.created_at, p.id, v.version) TO STDOUT (FORMAT csv)" > /dev/null`]);
  const copySeconds = (performance.now() - t1) / 1000;
  const r = {
    status: row.status, posts, counts: row.counts, wallSeconds: +wall.toFixed(1), postsPerSec: Math.round(posts / wall),
    jobSeconds: file?.job ? +Number(file.job).toFixed(1) : null, jobPostsPerSec: file?.job ? Math.round(posts / Number(file.job)) : null,
    peakRssMB: mem.peakMB, startRssMB: mem.startMB, bundleMB: file?.size_bytes ? +(Number(file.size_bytes) / 2 ** 20).toFixed(1) : null, cpu,
    rawCopySeconds: +copySeconds.toFixed(1), rawCopyPostsPerSec: Math.round(posts / copySeconds), ratioToCopy: +(copySeconds / wall).toFixed(3), error: row.error ?? null,
  };
  log(`export: ${JSON.stringify(r)}`);
  return r;
}

async function sweepRun({ db, compliance, bigOrg, worker, auth, txLog, apiProc }) {
  log(`seeding ${z.expired} expired posts`);
  results.seed.expired = await seedExpired(db, { ...z, prefix: `x${Date.now().toString(36)}` }, (m) => log(m));
  const held = async () => Number((await db.query(`SELECT count(*) n FROM post WHERE org_id = $1 AND on_hold`, [bigOrg])).rows[0].n);
  const expired = Number((await db.query(`SELECT count(*) n FROM post WHERE org_id = $1 AND created_at < now() - interval '390 days'`, [bigOrg])).rows[0].n);
  const heldExpired = Number((await db.query(`SELECT count(*) n FROM post WHERE org_id = $1 AND created_at < now() - interval '390 days' AND on_hold`, [bigOrg])).rows[0].n);
  const heldBefore = await held();
  const purgeProfile = await profilePurge(bigOrg);
  await api(BASE, compliance, 'PUT', '/api/v1/compliance/retention', { retainDays: 390, deletedGraceDays: 30 });
  const home = `${BASE}/api/v1/streams/home`;
  log('home feed p99 before the sweep');
  const before = await measure(home, auth, { warmup: WARMUP, duration: DURATION });
  writeFileSync(txLog, '');
  let inst;
  const during = cannon({ url: home, headers: auth, duration: 3600, onInstance: (i) => (inst = i) });
  await sleep(1000);
  const a = cpuSnapshot({ worker: worker.pid, api: apiProc.pid });
  const t0 = performance.now();
  const sweep = await api(BASE, compliance, 'POST', '/api/v1/compliance/retention/sweeps');
  let row;
  for (;;) {
    await sleep(200);
    const list = await api(BASE, compliance, 'GET', '/api/v1/compliance/retention/sweeps');
    row = (list.items ?? list).find((s) => s.id === (sweep.id ?? sweep.sweepId)) ?? (list.items ?? list)[0];
    if (row && ['completed', 'failed', 'interrupted'].includes(row.status)) break;
    if (performance.now() - t0 > 30 * 60 * 1000) break;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSplit(a, cpuSnapshot({ worker: worker.pid, api: apiProc.pid }));
  inst.stop();
  const duringSummary = summary(await during);
  const batches = readFileSync(txLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const ms = batches.map((b) => b.ms).sort((x, y) => x - y);
  const heldAfter = await held();
  // Leave the database as autovacuum would (it may be off on a development server): time it.
  const tv = performance.now();
  await db.query(`VACUUM (ANALYZE) post, post_version, post_hashtag, post_mention, post_reaction, notification`);
  const vacuumSeconds = +((performance.now() - tv) / 1000).toFixed(1);
  const r = {
    status: row?.status, expiredSeeded: expired, heldAmongExpired: heldExpired, purged: row?.counts?.purged, heldSkipped: row?.counts?.heldSkipped,
    wallSeconds: +wall.toFixed(1), postsPerSec: Math.round((row?.counts?.purged ?? 0) / wall),
    batches: batches.length, longestBatchMs: +(ms[ms.length - 1] ?? 0).toFixed(1), p50BatchMs: +(percentile(ms, 50) ?? 0).toFixed(1), p99BatchMs: +(percentile(ms, 99) ?? 0).toFixed(1),
    longestPurgeCallMs: +Math.max(0, ...batches.map((b) => b.purgeMs)).toFixed(1),
    feedBefore: before, feedDuring: duringSummary, feedP99Increase: +((duringSummary.p99ms - before.p99ms) / before.p99ms).toFixed(3),
    heldBefore, heldAfter, cpu, purgeProfile, vacuumAfterSeconds: vacuumSeconds,
  };
  log(`sweep: ${JSON.stringify(r)}`);
  return r;
}

try {
  await main();
} catch (e) {
  console.error(e);
  for (const p of procs) if (p.exited && p.exited.code) console.error(`--- ${p.benchName} ---\n${p.tail.join('\n')}`);
  process.exitCode = 1;
} finally {
  await Promise.all(procs.map((p) => stopProcess(p)));
  rmSync(work, { recursive: true, force: true });
  process.exit();
}
