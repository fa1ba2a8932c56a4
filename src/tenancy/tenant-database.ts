import { Injectable } from '@nestjs/common';
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

  private async transaction<T>(orgId: string | null, work: (tx: OrgTx) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      if (orgId !== null) await runner.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
      const tx: OrgTx = {
        orgId: orgId ?? '',
        query: async <R>(sql: string, params?: unknown[]) => (await runner.query(sql, params, true)).records as R[],
      };
      const result = await work(tx);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}
