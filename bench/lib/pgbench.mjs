// The "database alone" ceiling: a pgbench script per endpoint made from the statements the API
// ran (recorded), run with `pgbench -M prepared -c 16 -j 2 -T <s>` as chorus_app (RLS on).
// Parameters stay parameters (pgbench -D variables, sent as $n of a prepared statement, like
// node-pg's); a NULL parameter becomes NULLIF(:v, '~null~')::type (pgbench has no NULL variable), which
// folds to the same constant in a custom plan. BEGIN and the org pin are two statements here
// (pgbench cannot prepare a multi-statement string), one round trip more than the app.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const text = (v) => {
  if (v === null) return '~null~';
  if (Array.isArray(v)) return `{${v.map((x) => (x === null ? 'NULL' : `"${String(text(x)).replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
  if (typeof v === 'object' && '$bytea' in v) return `\\x${v.$bytea}`;
  if (typeof v === 'object' && '$date' in v) return v.$date;
  return String(v);
};

export function script(stmts) {
  const lines = [];
  const vars = {};
  stmts.forEach((s, si) => {
    if (!s.name && (!s.values || s.values.length === 0)) {
      for (const part of s.text.split(';').map((x) => x.trim()).filter(Boolean)) lines.push(`${part};`);
      return;
    }
    let sql = s.text;
    for (let n = s.values.length; n >= 1; n--) {
      const v = s.values[n - 1];
      const name = `v${si}_${n}`;
      vars[name] = text(v);
      const re = new RegExp(`\\$${n}(?![0-9])(::[a-z_]+(\\[\\])?)?`, 'g');
      if (v === null) {
        const cast = new RegExp(`\\$${n}(?![0-9])::([a-z_]+(\\[\\])?)`).exec(sql)?.[1];
        sql = sql.replace(re, `(NULLIF(:${name}, '~null~')${cast ? `::${cast}` : ''})`);
      } else {
        sql = sql.replace(re, (_m, c) => `:${name}${c ?? ''}`);
      }
    }
    // pgbench reads every ":word" as a variable, also inside a to_char format ('HH24:MI:SS'); the
    // same format with quoted colons prints the same text.
    sql = sql.replace(/HH24:MI:SS/g, 'HH24":"MI":"SS');
    lines.push(`${sql.replace(/\s+/g, ' ').trim()};`);
  });
  return { script: lines.join('\n') + '\n', vars };
}

export function runPgbench({ db, stmts, seconds = 10, clients = 16, threads = 2 }) {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-pgbench-'));
  const { script: body, vars } = script(stmts);
  const file = join(dir, 'endpoint.sql');
  writeFileSync(file, body);
  const args = ['-h', '127.0.0.1', '-U', 'postgres', '-n', '-M', 'prepared', '-c', String(clients), '-j', String(threads), '-T', String(seconds),
    '-l', `--log-prefix=${join(dir, 'tx')}`, '-f', file];
  for (const [k, v] of Object.entries(vars)) args.push('-D', `${k}=${v}`);
  args.push(db);
  return new Promise((resolve) => {
    execFile('pgbench', args, { env: { ...process.env, PGOPTIONS: '-c role=chorus_app' }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? NaN);
      const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
      const lat = [];
      for (const f of readdirSync(dir).filter((x) => x.startsWith('tx'))) {
        for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
          const cols = line.split(' ');
          if (cols.length > 3) lat.push(Number(cols[2]) / 1000);
        }
      }
      lat.sort((a, b) => a - b);
      const pct = (p) => (lat.length ? +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2) : null);
      const result = { tps: Math.round(tps), p50ms: pct(0.5), p99ms: pct(0.99), transactions: lat.length, failed, error: err ? String(stderr).slice(-600) : null, script: body };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });
}
