import { DataSource, type DataSourceOptions } from 'typeorm';
import pg from 'pg';
import { migrations } from '../../migrations/index.js';
import { APP_DB_ROLE } from './database-roles.js';

// bigint (count(*), bigserial) as JS numbers: our counts and sequences stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Connection used by the running app: every session is switched into the RLS-bound role. */
export function runtimeDataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    entities: [],
    extra: { max: poolSize, options: `-c role=${APP_DB_ROLE}`, application_name: 'chorus' },
  };
}

/** Connection used only to apply migrations, as the schema owner. */
export function migrationDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrations,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    extra: { max: 2, application_name: 'chorus-migrate' },
  });
}

const MIGRATION_LOCK = 4_242_001;

/** Applies pending migrations; an advisory lock makes concurrent starts wait for each other. */
export async function runMigrations(url: string): Promise<string[]> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const source = migrationDataSource(url);
    await source.initialize();
    try {
      const applied = await source.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await source.destroy();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

/** Which migrations the database has applied and which are still to run (reads only; no lock). */
export async function migrationStatus(url: string): Promise<{ applied: string[]; pending: string[] }> {
  const source = migrationDataSource(url);
  await source.initialize();
  try {
    const exists = await source.query(`SELECT to_regclass('schema_migration') IS NOT NULL AS ok`);
    const applied: string[] = exists[0]?.ok ? (await source.query(`SELECT name FROM schema_migration ORDER BY timestamp, id`)).map((r: { name: string }) => r.name) : [];
    const done = new Set(applied);
    const known = source.migrations.map((m) => m.name ?? m.constructor.name);
    return { applied, pending: known.filter((name) => !done.has(name)) };
  } finally {
    await source.destroy();
  }
}
