// Writes the measured table, each figure next to its target from the scale-out issue (point 5),
// into bench/README.md between the markers below (replacing the previous run's table).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- scale-bench:start -->';
const END = '<!-- scale-bench:end -->';
const f = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d }));
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'PASS' : '**MISS**');

export function rows(r) {
  const out = [];
  const add = (what, value, target, ok) => out.push({ what, value, target, ok });
  for (const [name, e] of Object.entries(r.endpoints ?? {})) {
    const o = e.ours;
    const ratio = e.bare?.reqPerSec ? o.reqPerSec / e.bare.reqPerSec : null;
    const ratioPg = e.pgbench?.tps ? o.reqPerSec / e.pgbench.tps : null;
    const cpu = o.cpu ? ` (cores: api ${o.cpu.api}, pg ${o.cpu.postgres}, loadgen ${o.cpu.loadgen}, others ${(o.cpu.others + o.cpu.postgresOther).toFixed(2)})` : '';
    add(`${name}: req/s`, `${f(o.reqPerSec)}${cpu}`, name === 'home' ? '≥ 700' : name === 'search' ? '≥ 300' : '–',
      name === 'home' ? o.reqPerSec >= 700 : name === 'search' ? o.reqPerSec >= 300 : null);
    add(`${name}: p50 / p99 ms`, `${f(o.p50ms)} / ${f(o.p99ms)}`, name === 'home' ? 'p99 ≤ 30' : name === 'search' ? 'p99 ≤ 100' : 'p99 ≤ 20',
      o.p99ms <= (name === 'home' ? 30 : name === 'search' ? 100 : 20));
    add(`${name}: bare Node + pg ceiling`, `${f(e.bare?.reqPerSec)} req/s, p99 ${f(e.bare?.p99ms)} ms; ours/bare ${f(ratio, 2)}`,
      ['company', 'group', 'thread', 'hashtag'].includes(name) ? 'ours/bare ≥ 0.6' : '–',
      ['company', 'group', 'thread', 'hashtag'].includes(name) && ratio !== null ? ratio >= 0.6 : null);
    add(`${name}: pgbench ceiling`, `${f(e.pgbench?.tps)} tps, p99 ${f(e.pgbench?.p99ms)} ms; ours/pgbench ${f(ratioPg, 2)}`, '–', null);
  }
  if (r.post) {
    const p = r.post;
    add('post creation: posts/s', `${f(p.reqPerSec)} (cores: api ${p.cpu?.api}, pg ${p.cpu?.postgres}, loadgen ${p.cpu?.loadgen}, others ${(p.cpu?.others + p.cpu?.postgresOther).toFixed(2)})`, '≥ 800', p.reqPerSec >= 800);
    add('post creation: p50 / p99 ms', `${f(p.p50ms)} / ${f(p.p99ms)}`, 'p99 ≤ 30', p.p99ms <= 30);
    add(`live delivery to ${p.live.clients} SSE members: p50 / p99 ms`, `${f(p.live.p50ms)} / ${f(p.live.p99ms)} (${f(p.live.delivered)} of ${f(p.live.expected)} delivered)`, 'p99 ≤ 250', p.live.p99ms <= 250 && p.live.delivered >= p.live.expected);
  }
  if (r.export) {
    const x = r.export;
    add(`export jsonl+csv of ${f(x.posts)} posts: posts/s`, `${f(x.postsPerSec)} (${x.wallSeconds} s request to done; job itself ${x.jobSeconds} s = ${f(x.jobPostsPerSec)}/s; ${x.status}; cores: worker ${x.cpu?.worker}, pg ${x.cpu?.postgres})`, '≥ 100,000', x.status === 'completed' && x.postsPerSec >= 100000);
    add('export: peak RSS of the worker', `${f(x.peakRssMB)} MB (idle ${f(x.startRssMB)} MB)`, '< 300 MB', x.peakRssMB < 300);
    add('export vs raw COPY of the same rows', `COPY ${x.rawCopySeconds} s (${f(x.rawCopyPostsPerSec)} posts/s); export/COPY speed ${f(x.ratioToCopy, 3)}`, '–', null);
  }
  if (r.sweep) {
    const s = r.sweep;
    add(`retention sweep of ${f(s.expiredSeeded)} expired posts: posts/s`, `${f(s.postsPerSec)} (${f(s.purged)} purged in ${s.wallSeconds} s, ${s.status}; cores: worker ${s.cpu?.worker}, pg ${s.cpu?.postgres})`, '≥ 50,000', s.postsPerSec >= 50000);
    add('sweep: longest batch (p50 / p99)', `${f(s.longestBatchMs, 1)} ms (${f(s.p50BatchMs, 1)} / ${f(s.p99BatchMs, 1)}; ${s.batches} batches)`, '≤ 100 ms', s.longestBatchMs <= 100);
    add('sweep: home feed p99 during vs before', `${f(s.feedDuring?.p99ms)} vs ${f(s.feedBefore?.p99ms)} ms (${f(s.feedP99Increase * 100)}%)`, '≤ +20%', s.feedP99Increase <= 0.2);
    add('sweep: held rows before / after', `${f(s.heldBefore)} / ${f(s.heldAfter)} (${f(s.heldSkipped)} due but held)`, 'equal', s.heldBefore === s.heldAfter);
  }
  return out;
}

export function table(r, file) {
  const d = r.dataset?.counted ?? {};
  const m = r.machine ?? {};
  const lines = [
    `Run of ${r.date.slice(0, 10)} (\`${file}\`, ${r.seconds} s in all): ${m.cores} cores (${m.cpu}), Node ${m.node}, PostgreSQL ${m.postgres}, ` +
      `load generator (autocannon ${m.autocannon}, 16 connections, ${r.endpoints?.home ? '10 s after a 2 s warm-up' : ''}) on the same cores. ` +
      `Dataset: ${f(d.posts)} posts (${f(d.replies)} replies, ${f(d.edited)} edited, ${f(d.postHashtags)} hashtags, ${f(d.held)} held) in ${d.orgs} orgs ` +
      `(big org ${f(d.bigOrgPosts)}), ${f(d.users)} users, ${f(d.groups)} groups, ${f(d.memberships)} memberships, ${f(d.follows)} follows; ${f(d.dbSizeMB)} MB.`,
    ...(r.merged ? ['', `Sections ${r.merged.sections.join(', ')} are from the run of ${r.merged.date} (\`${r.merged.from}\`) on the same database.`] : []),
    '',
    '| figure | measured | target | |',
    '| --- | --- | --- | --- |',
    ...rows(r).map((x) => `| ${x.what} | ${x.value} | ${x.target} | ${verdict(x.ok)} |`),
  ];
  return lines.join('\n');
}

export function writeReport(readme, r, file) {
  const block = `${START}\n${table(r, file)}\n${END}`;
  let text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  if (text.includes(START)) text = text.replace(new RegExp(`${START}[\\s\\S]*?${END}`), block);
  else text += `\n## Scale benchmark (\`npm run bench\`)\n\n${block}\n`;
  writeFileSync(readme, text);
}
