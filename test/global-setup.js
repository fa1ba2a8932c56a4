import pg from 'pg';

/** One fresh database per test run; the first app a test starts applies the migrations. */
export default async function globalSetup() {
  const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `chorus_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.CHORUS_TEST_DB = name;
  process.env.DATABASE_URL = url.toString();
  process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  // Each run gets its own BullMQ keys, so a worker of one run never takes another run's jobs.
  process.env.REDIS_PREFIX = `chorus-test-${Date.now()}`;
  // Every suite signs in from 127.0.0.1; the per-IP budget is tested on its own in auth.e2e-spec.
  process.env.LOGIN_MAX_PER_IP = process.env.LOGIN_MAX_PER_IP ?? '100000';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  process.env.NODE_ENV = 'test';
}
