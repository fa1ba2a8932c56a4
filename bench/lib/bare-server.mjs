// The "database plus Node" ceiling: a bare node:http server with a pg pool (same size and role as
// the app) that answers GET /<endpoint> by replaying the statements the API ran for that request
// (recorded by sql-recorder.mjs): same SQL, same parameters, same transaction shape (BEGIN and
// the org pin in one simple query, then named prepared statements), and JSON of the rows.
//   node bench/lib/bare-server.mjs <recording.json> <port>   (DATABASE_URL in the environment)
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const [file, port] = process.argv.slice(2);
const endpoints = JSON.parse(readFileSync(file, 'utf8'));
const decode = (v) => {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(decode);
  if (typeof v === 'object' && '$bytea' in v) return Buffer.from(v.$bytea, 'hex');
  if (typeof v === 'object' && '$date' in v) return new Date(v.$date);
  return v;
};
const plans = Object.fromEntries(
  Object.entries(endpoints).map(([name, stmts]) => [
    name,
    stmts.map((s) => (s.name ? { name: `b${createHash('sha1').update(s.text).digest('hex').slice(0, 20)}`, text: s.text, values: s.values.map(decode) } : s.text)),
  ]),
);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10), options: '-c role=chorus_app' });

http
  .createServer(async (req, res) => {
    const plan = plans[req.url.slice(1)];
    if (!plan) return res.writeHead(404).end();
    const client = await pool.connect();
    const out = [];
    try {
      for (const q of plan) {
        const r = await client.query(q);
        if (Array.isArray(r)) out.push(...r.map((x) => x.rows));
        else out.push(r.rows);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      res.writeHead(500).end(String(e));
    } finally {
      client.release();
    }
  })
  .listen(Number(port), '127.0.0.1', () => console.log('listening'));
