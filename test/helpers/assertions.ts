import type pg from 'pg';

interface HttpResult {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** An RFC 9457 problem+json answer with this status and stable code. */
export function expectProblem(res: HttpResult, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

/** Runs SQL as the app's runtime role, optionally scoped to an org, and rolls back. */
export async function asAppRole<T>(superuser: pg.Client, orgId: string | null, sql: string, params: unknown[] = []): Promise<T[]> {
  await superuser.query('BEGIN');
  try {
    await superuser.query('SET LOCAL ROLE chorus_app');
    if (orgId) await superuser.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
    return (await superuser.query(sql, params)).rows as T[];
  } finally {
    await superuser.query('ROLLBACK');
  }
}

/** What an attacker with superuser rights could do: change audit rows with the append-only trigger off. */
export async function tamperWithAudit(superuser: pg.Client, sql: string, params: unknown[]): Promise<void> {
  await superuser.query('BEGIN');
  await superuser.query('SET LOCAL session_replication_role = replica');
  await superuser.query(sql, params);
  await superuser.query('COMMIT');
}
