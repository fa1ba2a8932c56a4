import pg from 'pg';

export default async function globalTeardown() {
  const name = process.env.CHORUS_TEST_DB;
  if (!name || process.env.KEEP_TEST_DB === 'true') return;
  const admin = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
