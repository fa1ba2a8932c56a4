// Process, HTTP and measurement helpers for the scale benchmark (loopback only).
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Starts `node <args>`; stdout/stderr are kept (last 200 lines) for diagnosis. */
export function startNode(name, args, env) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = (d) => {
    for (const line of String(d).split('\n')) if (line) tail.push(line.slice(0, 2000));
    while (tail.length > 200) tail.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.tail = tail;
  child.benchName = name;
  child.on('exit', (code, sig) => { child.exited = { code, sig }; });
  return child;
}

export async function stopProcess(child, ms = 10000) {
  if (!child || child.exited) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.exited || child.kill('SIGKILL'), ms);
  await done;
  clearTimeout(timer);
}

export async function waitForHttp(url, child, ms = 60000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child?.exited) throw new Error(`${child.benchName} exited (${JSON.stringify(child.exited)}):\n${child.tail.join('\n')}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${url}`);
}

export async function api(base, token, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch {}
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return json;
}

/** One autocannon run; resolves to the summary. `opts` are autocannon options. */
export function cannon(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon({ connections: 16, pipelining: 1, ...opts }, (err, r) => (err ? reject(err) : resolve(r)));
    if (opts.onInstance) opts.onInstance(inst);
  });
}

export const summary = (r) => ({
  reqPerSec: Math.round(r.requests.average),
  p50ms: r.latency.p50,
  p99ms: r.latency.p99,
  maxMs: r.latency.max,
  requests: r.requests.total,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
});

/** warm-up, then the measured run */
export async function measure(url, headers, { warmup = 2, duration = 10, ...rest } = {}) {
  if (warmup > 0) await cannon({ url, headers, duration: warmup, ...rest });
  return summary(await cannon({ url, headers, duration, ...rest }));
}

// CPU accounting from /proc: user+system ticks of given pids, of every postgres process, and of
// this process (the load generator).
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
function ticks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (not children: the postmaster reaps every backend)
  } catch { return 0; }
}
function postgresPids() {
  const db = ` ${process.env.BENCH_DB ?? 'chorus_bench'} `;
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'postgres') continue;
      out.push([Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(db)]);
    } catch {}
  }
  return out;
}
function machineBusy() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
}
/** CPU ticks: our processes by name, postgres backends of the bench database (+ shared postgres processes), the machine. */
export function cpuSnapshot(pids) {
  const snap = { t: performance.now(), pg: new Map(), pgOther: new Map(), own: {}, machine: machineBusy() };
  for (const [pid, mine] of postgresPids()) (mine ? snap.pg : snap.pgOther).set(pid, ticks(pid));
  for (const [name, pid] of Object.entries(pids)) snap.own[name] = ticks(pid);
  snap.own.loadgen = ticks(process.pid);
  return snap;
}
/**
 * Cores used on average between two snapshots: each named process, `postgres` (backends of the
 * bench database), `postgresOther` (other databases and postgres' own processes) and `others`
 * (everything else on the machine: other people's work shares these cores).
 */
export function cpuSplit(a, b) {
  const secs = (b.t - a.t) / 1000;
  const cores = (t) => +(t / TICK / secs).toFixed(2);
  const out = {};
  let ours = 0;
  for (const name of Object.keys(b.own)) {
    const d = b.own[name] - (a.own[name] ?? 0);
    ours += d;
    out[name] = cores(d);
  }
  const sum = (x, y) => {
    let n = 0;
    for (const [pid, t] of x) n += t - (y.get(pid) ?? 0);
    return n;
  };
  const pgMine = sum(b.pg, a.pg);
  const pgOther = sum(b.pgOther, a.pgOther);
  out.postgres = cores(pgMine);
  out.postgresOther = cores(pgOther);
  out.others = cores(Math.max(0, b.machine - a.machine - ours - pgMine - pgOther));
  return out;
}

/** Samples VmRSS of pid every `ms`; stop() returns the peak in MB. */
export function rssSampler(pid, ms = 50) {
  let peak = 0;
  let last = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) { last = Number(m[1]) / 1024; peak = Math.max(peak, last); }
    } catch {}
  };
  read();
  const start = last;
  const timer = setInterval(read, ms);
  return { stop: () => { clearInterval(timer); read(); return { startMB: Math.round(start), peakMB: Math.round(peak) }; } };
}

/** SSE client: calls onEvent(type, data) for each event. */
export function sse(url, token, onEvent) {
  const req = http.get(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, agent: false });
  let buf = '';
  const ready = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let type = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          onEvent(type, data);
        }
      });
      resolve();
    });
    req.on('error', reject);
  });
  return { ready, close: () => req.destroy() };
}

export const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);
