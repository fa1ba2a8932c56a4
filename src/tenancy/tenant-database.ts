import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DataSource } from 'typeorm';

/** A transaction pinned to one organisation: RLS sees `app.org_id`, SQL also filters on `orgId`. */
export interface OrgTx {
  readonly orgId: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** A transaction with no organisation: RLS lets it see no org-scoped row at all. */
export interface UnscopedTx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The only way the app talks to Postgres. Every org-scoped unit of work runs in a transaction
 * whose first statement sets the transaction-local `app.org_id`, which the RLS policies key on.
 */
@Injectable()
export class TenantDatabase {
  constructor(private readonly dataSource: DataSource) {}

  async withOrg<T>(orgId: string, work: (tx: OrgTx) => Promise<T>): Promise<T> {
    return this.transaction(orgId, work);
  }

  async unscoped<T>(work: (tx: UnscopedTx) => Promise<T>): Promise<T> {
    return this.transaction(null, work);
  }

  /** A single statement outside any transaction (no BEGIN/COMMIT round trips): unscoped reads only. */
  async statement<T>(work: (tx: UnscopedTx) => Promise<T>): Promise<T> {
    const client = await this.pool().connect();
    try {
      return await work({ query: async <R>(sql: string, params?: unknown[]) => (await client.query({ name: statementName(sql), text: sql, values: params })).rows as R[] });
    } finally {
      client.release();
    }
  }

  /**
   * One pooled connection, one transaction. BEGIN and the org pin travel in a single round trip
   * (a simple-protocol query; the id is a checked UUID), and queries go straight to the pg client:
   * this is the hot path of every request.
   */
  private async transaction<T>(orgId: string | null, work: (tx: OrgTx) => Promise<T>): Promise<T> {
    const client = await this.pool().connect();
    const scoped = (id: string): OrgTx => ({
      orgId: id,
      query: async <R>(sql: string, params?: unknown[]) => (await client.query({ name: statementName(sql), text: sql, values: params })).rows as R[],
    });
    let open = false;
    try {
      if (orgId !== null) {
        await client.query(`BEGIN; SELECT set_config('app.org_id', '${checkedUuid(orgId)}', true)`);
      } else {
        await client.query('BEGIN');
      }
      open = true;
      const result = await work(scoped(orgId ?? ''));
      await client.query('COMMIT');
      open = false;
      return result;
    } catch (error) {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private pool(): pg.Pool {
    return (this.dataSource.driver as unknown as { master: pg.Pool }).master;
  }
}

const names = new Map<string, string>();

/**
 * Every statement is a named prepared statement (per connection, by a hash of its text), so
 * Postgres plans each query shape once per connection instead of on every request; planning
 * was most of the database time of the stream queries.
 */
function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `c${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    names.set(sql, name);
  }
  return name;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Only a well-formed UUID is ever spliced into SQL text. */
function checkedUuid(id: string): string {
  if (!UUID.test(id)) throw new Error('org id is not a UUID');
  return id;
}
