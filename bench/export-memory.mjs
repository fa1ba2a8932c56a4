// Export memory and speed at growing sizes: seeds N posts into a scratch database on the local
// PostgreSQL, runs the real export job (ExportRunner, compiled app) in this process, and samples
// RSS every 50 ms. Prints one JSON line per size. Build first (`npm run build`).
//   node bench/export-memory.mjs [sizes=10000,50000,100000] [formats=jsonl,csv]
// Needs PostgreSQL at TEST_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { AppModule } from '../dist/src/app.module.js';
import { AppConfig } from '../dist/src/config/app-config.js';
import { createLogger } from '../dist/src/common/logger.js';
import { runMigrations } from '../dist/src/database/data-source.js';
import { ExportRunner } from '../dist/src/compliance/exports/export-runner.js';

const sizes = (process.argv[2] ?? '10000,50000,100000').split(',').map(Number);
const formats = (process.argv[3] ?? 'jsonl,csv').split(',');
const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function seed(client, orgId, n) {
  await client.query(`INSERT INTO org (id, slug, name) VALUES ($1::uuid, 'bench-' || left($2, 8), 'Bench')`, [orgId, orgId]);
  await client.query(
    `INSERT INTO user_account (org_id, id, email, display_name, handle, role)
     SELECT $1, gen_random_uuid(), 'u' || i || '@bench.test', 'User ' || i, 'u' || i, CASE WHEN i = 1 THEN 'compliance' ELSE 'member' END
     FROM generate_series(1, 200) i`,
    [orgId],
  );
  await client.query(
    `INSERT INTO org_group (org_id, name, visibility) SELECT $1, 'Group ' || i, 'public' FROM generate_series(1, 20) i`,
    [orgId],
  );
  // Roots, 20% with a second version; created over the last year with many equal timestamps.
  await client.query(
    `WITH u AS (SELECT array_agg(id) AS ids FROM user_account WHERE org_id = $1),
          g AS (SELECT array_agg(id) AS ids FROM org_group WHERE org_id = $1)
     INSERT INTO post (org_id, author_id, group_id, body, created_at, version, edited_at)
     SELECT $1, u.ids[1 + (i % 200)], CASE WHEN i % 3 = 0 THEN NULL ELSE g.ids[1 + (i % 20)] END,
            'Post number ' || i || ' about #topic' || (i % 50) || ' with some ordinary words to make it realistic',
            now() - make_interval(secs => (i / 3)), CASE WHEN i % 5 = 0 THEN 2 ELSE 1 END,
            CASE WHEN i % 5 = 0 THEN now() ELSE NULL END
     FROM generate_series(1, $2) i, u, g`,
    [orgId, n],
  );
  await client.query(
    `INSERT INTO post_version (org_id, post_id, version, body, edited_by, created_at)
     SELECT org_id, id, 1, body || ' (first)', author_id, created_at FROM post WHERE org_id = $1`,
    [orgId],
  );
  await client.query(
    `INSERT INTO post_version (org_id, post_id, version, body, edited_by, created_at)
     SELECT org_id, id, 2, body, author_id, edited_at FROM post WHERE org_id = $1 AND version = 2`,
    [orgId],
  );
  await client.query('ANALYZE');
}

const name = `chorus_bench_export_${Date.now()}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const databaseUrl = url.toString();
const exportDir = await mkdtemp(join(tmpdir(), 'chorus-bench-export-'));
try {
  await runMigrations(databaseUrl);
  const config = AppConfig.fromEnvironment({}, { DATABASE_URL: databaseUrl, SECRETS_KEY: randomBytes(32).toString('base64'), EXPORT_DIR: exportDir });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, databaseUrl, logger: createLogger('warn'), role: 'cli' }), {
    logger: false,
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  for (const n of sizes) {
    const orgId = (await client.query('SELECT gen_random_uuid() AS id')).rows[0].id;
    await seed(client, orgId, n);
    const requester = (await client.query(`SELECT id FROM user_account WHERE org_id = $1 AND role = 'compliance'`, [orgId])).rows[0].id;
    const exportId = (
      await client.query(
        `INSERT INTO compliance_export (org_id, requested_by, filters, formats) VALUES ($1, $2, $3, $4) RETURNING id`,
        [orgId, requester, JSON.stringify({ from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }), formats],
      )
    ).rows[0].id;
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const began = performance.now();
    await app.get(ExportRunner).run(orgId, exportId);
    const seconds = (performance.now() - began) / 1000;
    clearInterval(sampler);
    const row = (await client.query(`SELECT status, size_bytes, file_key FROM compliance_export WHERE org_id = $1 AND id = $2`, [orgId, exportId])).rows[0];
    const size = (await stat(join(exportDir, row.file_key))).size;
    console.log(
      JSON.stringify({
        posts: n,
        formats,
        status: row.status,
        seconds: Number(seconds.toFixed(2)),
        postsPerSec: Math.round(n / seconds),
        baselineRssMB: Math.round(baseline / 2 ** 20),
        peakRssMB: Math.round(peak / 2 ** 20),
        growthMB: Math.round((peak - baseline) / 2 ** 20),
        bundleMB: Number((size / 2 ** 20).toFixed(1)),
      }),
    );
  }
  await client.end();
  await app.close();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await rm(exportDir, { recursive: true, force: true });
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
