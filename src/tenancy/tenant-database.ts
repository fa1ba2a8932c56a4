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

  /**
   * One transaction for the per-request credential check: an unscoped lookup (through a
   * SECURITY DEFINER function) finds the org, then the same transaction is pinned to it.
   */
  async resolveThenScope<F extends { orgId: string }, T>(
    resolve: (tx: UnscopedTx) => Promise<F | null>,
    work: (tx: OrgTx, found: F) => Promise<T>,
  ): Promise<T | null> {
    return this.transaction(null, async (unscoped, pin) => {
      const found = await resolve(unscoped);
      if (!found) return null;
      return work(await pin(found.orgId), found);
    });
  }

  private async transaction<T>(orgId: string | null, work: (tx: OrgTx, pin: (orgId: string) => Promise<OrgTx>) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const scoped = (id: string): OrgTx => ({
      orgId: id,
      query: async <R>(sql: string, params?: unknown[]) => (await runner.query(sql, params, true)).records as R[],
    });
    const pin = async (id: string) => {
      await runner.query(`SELECT set_config('app.org_id', $1, true)`, [id]);
      return scoped(id);
    };
    try {
      await runner.startTransaction();
      const tx = orgId !== null ? await pin(orgId) : scoped('');
      const result = await work(tx, pin);
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
