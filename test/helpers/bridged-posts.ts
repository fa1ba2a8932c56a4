import type pg from 'pg';

/** A post as a bridge (Slack, email) made it, read straight from the table. */
export interface BridgedPost {
  id: string;
  authorId: string;
  groupId: string | null;
  parentId: string | null;
  body: string;
  source: string;
  sourceRef: string | null;
  provenance: Record<string, unknown> | null;
  version: number;
  deletedAt: Date | null;
}

/** An org's posts from one bridge, oldest first; `refLike` narrows them by source reference (SQL LIKE). */
export async function bridgedPosts(superuser: pg.Client, orgId: string, source: 'slack' | 'email', refLike = '%'): Promise<BridgedPost[]> {
  const result = await superuser.query<BridgedPost>(
    `SELECT id, author_id AS "authorId", group_id AS "groupId", parent_id AS "parentId", body, source, source_ref AS "sourceRef",
            provenance, version, deleted_at AS "deletedAt"
     FROM post WHERE org_id = $1 AND source = $2 AND coalesce(source_ref, '') LIKE $3 ORDER BY created_at, id`,
    [orgId, source, refLike],
  );
  return result.rows;
}
