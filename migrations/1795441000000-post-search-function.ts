import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text matches through the GIN index for the RLS-bound runtime role. Under row-level
 * security the planner must apply the policy before any non-leakproof operator, and `@@` is not
 * leakproof, so as `chorus_app` a search scanned every post of the org. This SECURITY DEFINER
 * function (owned by the schema owner, which RLS does not bind) matches through the index and
 * applies the tenant filter itself; callers still join `post` under RLS and check visibility.
 */
export class PostSearchFunction1795441000000 implements MigrationInterface {
  name = 'PostSearchFunction1795441000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION post_search_match(p_query tsquery) RETURNS TABLE (id uuid, rank real)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS
      $$ SELECT p.id, ts_rank_cd(p.search, p_query) FROM post p
         WHERE p.org_id = current_org_id() AND p.search @@ p_query AND p.deleted_at IS NULL $$`);
    await q.query(`REVOKE ALL ON FUNCTION post_search_match(tsquery) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION post_search_match(tsquery) TO chorus_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION post_search_match(tsquery)`);
  }
}
