// Preloaded into an app process by the benchmark (`node --import ./bench/lib/sql-recorder.mjs …`);
// the application code is unchanged. Wraps pg's Client#query:
// - BENCH_SQL_LOG=<file>: appends every statement (text, name, parameters) as a JSON line, so
//   the ceilings replay exactly the SQL the API ran for a request;
// - BENCH_TX_LOG=<file>: appends, for each transaction that called retention_purge_posts, its
//   wall time from BEGIN to the end of COMMIT (the sweep's batch time, which it does not record).
import { appendFileSync } from 'node:fs';
import pg from 'pg';

const sqlLog = process.env.BENCH_SQL_LOG;
const txLog = process.env.BENCH_TX_LOG;
const original = pg.Client.prototype.query;

const encode = (v) => {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return { $bytea: v.toString('hex') };
  if (v instanceof Date) return { $date: v.toISOString() };
  if (Array.isArray(v)) return v.map(encode);
  return v;
};

pg.Client.prototype.query = function (config, values, callback) {
  const text = typeof config === 'string' ? config : config?.text;
  const params = typeof config === 'object' && config !== null && !('submit' in config) ? (config.values ?? values) : values;
  if (sqlLog && typeof text === 'string') {
    appendFileSync(sqlLog, JSON.stringify({ at: Date.now(), pid: process.pid, text, name: config?.name ?? null, values: (params ?? []).map(encode) }) + '\n');
  }
  if (txLog && typeof text === 'string') {
    if (text.startsWith('BEGIN')) {
      this.__benchTx = { start: performance.now(), wall: Date.now(), purge: false, purgeMs: 0 };
    } else if (this.__benchTx && text.includes('retention_purge_posts')) {
      this.__benchTx.purge = true;
      const started = performance.now();
      const tx = this.__benchTx;
      const result = original.call(this, config, values, callback);
      if (result && typeof result.then === 'function') result.then(() => (tx.purgeMs = performance.now() - started), () => undefined);
      return result;
    } else if (text === 'COMMIT' && this.__benchTx) {
      const tx = this.__benchTx;
      this.__benchTx = null;
      const result = original.call(this, config, values, callback);
      if (tx.purge && result && typeof result.then === 'function') {
        result.then(() => appendFileSync(txLog, JSON.stringify({ at: tx.wall, ms: performance.now() - tx.start, purgeMs: tx.purgeMs }) + '\n'), () => undefined);
      }
      return result;
    }
  }
  return original.call(this, config, values, callback);
};
