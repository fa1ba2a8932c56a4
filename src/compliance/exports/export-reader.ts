import { Injectable } from '@nestjs/common';
import { TenantDatabase, type OrgTx } from '../../tenancy/tenant-database.js';
import type { ExportAttachment, ExportAuditEvent, ExportGroup, ExportPost, ExportUser } from './bundle/bundle.types.js';
import type { ExportFilters } from './export.repository.js';

/** Timestamps leave the database as text with microseconds, so nothing is rounded on the way. */
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Where the keyset stands: the last post read, in the database's own precision. */
export interface ExportPosition {
  createdAt: string;
  id: string;
}

interface PostRowRaw {
  id: string;
  parentId: string | null;
  groupId: string | null;
  authorId: string;
  body: string;
  source: ExportPost['source']['kind'];
  sourceRef: string | null;
  provenance: Record<string, unknown> | null;
  onHold: boolean;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
  pinnedAt: string | null;
  /** created_at::text, exact, for the keyset. */
  position: string;
}

/**
 * The export's database side: which posts a request selects, read in keyset order
 * (created_at, id) in batches, each batch in its own short transaction with everything about
 * its posts loaded in a fixed number of queries. Compliance reads every post of the org:
 * private groups, deleted posts and every version included.
 */
@Injectable()
export class ExportReader {
  constructor(private readonly db: TenantDatabase) {}

  /** The filter as SQL over `p`, with its parameters starting at $2 ($1 is the org). */
  private where(f: ExportFilters): { sql: string; params: unknown[] } {
    const params: unknown[] = [f.from, f.to];
    const parts = [`p.org_id = $1`, `p.created_at >= $2::timestamptz`, `p.created_at < $3::timestamptz`];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length + 1}`;
    };
    if (f.custodians?.length) parts.push(`p.author_id = ANY (${add(f.custodians)}::uuid[])`);
    if (f.groups?.length) parts.push(`p.group_id = ANY (${add(f.groups)}::uuid[])`);
    // What the hold covers (released holds too), by the same rule that marks posts held.
    if (f.holdId) parts.push(`p.id IN (SELECT id FROM legal_hold_posts(ARRAY[${add(f.holdId)}::uuid]))`);
    if (f.query) {
      parts.push(`EXISTS (SELECT 1 FROM post_version v WHERE v.org_id = p.org_id AND v.post_id = p.id
        AND to_tsvector('simple', v.body) @@ websearch_to_tsquery('simple', ${add(f.query)}))`);
    }
    return { sql: parts.join(' AND '), params };
  }

  async count(orgId: string, f: ExportFilters): Promise<number> {
    const w = this.where(f);
    const rows = await this.db.withOrg(orgId, (tx) => tx.query<{ n: string }>(`SELECT count(*) AS n FROM post p WHERE ${w.sql}`, [orgId, ...w.params]));
    return Number(rows[0].n);
  }

  /** The next batch after `after` (or from the start), complete with versions, reactions and the rest. */
  async batch(
    orgId: string,
    f: ExportFilters,
    after: ExportPosition | null,
    size: number,
  ): Promise<{ posts: ExportPost[]; storageKeys: Map<string, string>; last: ExportPosition | null }> {
    return this.db.withOrg(orgId, async (tx) => {
      const w = this.where(f);
      const n = w.params.length + 1;
      const rows = await tx.query<PostRowRaw>(
        `SELECT p.id, p.parent_id AS "parentId", p.group_id AS "groupId", p.author_id AS "authorId", p.body, p.source,
           p.source_ref AS "sourceRef", p.provenance, p.on_hold AS "onHold", ${iso('p.created_at')} AS "createdAt",
           ${iso('p.edited_at')} AS "editedAt", ${iso('p.deleted_at')} AS "deletedAt", p.deleted_by AS "deletedBy",
           ${iso('p.pinned_at')} AS "pinnedAt", p.created_at::text AS position
         FROM post p
         WHERE ${w.sql} ${after ? `AND (p.created_at, p.id) > ($${n + 2}::timestamptz, $${n + 3}::uuid)` : ''}
         ORDER BY p.created_at, p.id
         LIMIT $${n + 1}`,
        // Two statements (first batch, later batches): a generic plan over "$x IS NULL OR (…) > (…)"
        // could not start the index scan at the keyset position.
        after ? [orgId, ...w.params, size, after.createdAt, after.id] : [orgId, ...w.params, size],
      );
      if (rows.length === 0) return { posts: [], storageKeys: new Map(), last: null };
      const storageKeys = new Map<string, string>();
      const posts = await this.hydrate(tx, rows, storageKeys);
      const tail = rows[rows.length - 1];
      return { posts, storageKeys, last: { createdAt: tail.position, id: tail.id } };
    });
  }

  /** Loads what belongs to the posts; fills `storageKeys` (attachment id → storage key). */
  private async hydrate(tx: OrgTx, rows: PostRowRaw[], storageKeys: Map<string, string>): Promise<ExportPost[]> {
    const ids = rows.map((r) => r.id);
    // One connection: the queries run one after another.
    const versions = await tx.query<{ postId: string; version: number; body: string; editedBy: string; createdAt: string }>(
        `SELECT post_id AS "postId", version, body, edited_by AS "editedBy", ${iso('created_at')} AS "createdAt"
         FROM post_version WHERE org_id = $1 AND post_id = ANY ($2::uuid[]) ORDER BY post_id, version`,
        [tx.orgId, ids],
      );
    const reactions = await tx.query<{ postId: string; userId: string; kind: string; createdAt: string }>(
        `SELECT post_id AS "postId", user_id AS "userId", kind, ${iso('created_at')} AS "createdAt"
         FROM post_reaction WHERE org_id = $1 AND post_id = ANY ($2::uuid[]) ORDER BY post_id, created_at, user_id, kind`,
        [tx.orgId, ids],
      );
    const mentions = await tx.query<{ postId: string; userId: string }>(
        `SELECT post_id AS "postId", user_id AS "userId" FROM post_mention WHERE org_id = $1 AND post_id = ANY ($2::uuid[]) ORDER BY post_id, user_id`,
        [tx.orgId, ids],
      );
    const hashtags = await tx.query<{ postId: string; tag: string }>(
        `SELECT post_id AS "postId", tag FROM post_hashtag WHERE org_id = $1 AND post_id = ANY ($2::uuid[]) ORDER BY post_id, tag`,
        [tx.orgId, ids],
      );
    const attachments = await tx.query<Omit<ExportAttachment, 'path'> & { postId: string; storageKey: string }>(
        `SELECT post_id AS "postId", storage_key AS "storageKey", id, file_name AS "fileName", content_type AS "contentType", size_bytes AS "sizeBytes", sha256
         FROM attachment WHERE org_id = $1 AND post_id = ANY ($2::uuid[]) ORDER BY post_id, created_at, id`,
        [tx.orgId, ids],
      );
    const userIds = [...new Set(rows.map((r) => r.authorId))];
    const groupIds = [...new Set(rows.map((r) => r.groupId).filter((g): g is string => g !== null))];
    const users = await tx.query<ExportUser>(`SELECT id, email, display_name AS "displayName", handle FROM user_account WHERE org_id = $1 AND id = ANY ($2::uuid[])`, [
        tx.orgId,
        userIds,
      ]);
    const groups = await tx.query<ExportGroup>(`SELECT id, name, visibility FROM org_group WHERE org_id = $1 AND id = ANY ($2::uuid[])`, [tx.orgId, groupIds]);
    const by = <T extends { postId: string }>(list: T[]) => {
      const map = new Map<string, T[]>();
      for (const item of list) {
        const bucket = map.get(item.postId);
        if (bucket) bucket.push(item);
        else map.set(item.postId, [item]);
      }
      return map;
    };
    const versionsBy = by(versions);
    const reactionsBy = by(reactions);
    const mentionsBy = by(mentions);
    const hashtagsBy = by(hashtags);
    const attachmentsBy = by(attachments);
    const userBy = new Map(users.map((u) => [u.id, u]));
    const groupBy = new Map(groups.map((g) => [g.id, g]));
    return rows.map((r) => ({
      id: r.id,
      threadId: r.parentId ?? r.id,
      parentId: r.parentId,
      group: r.groupId ? (groupBy.get(r.groupId) ?? null) : null,
      author: userBy.get(r.authorId)!,
      body: r.body,
      createdAt: r.createdAt,
      editedAt: r.editedAt,
      deletedAt: r.deletedAt,
      deletedBy: r.deletedBy,
      pinnedAt: r.pinnedAt,
      onHold: r.onHold,
      versions: (versionsBy.get(r.id) ?? []).map(({ postId: _p, ...v }) => v),
      reactions: (reactionsBy.get(r.id) ?? []).map(({ postId: _p, ...x }) => x),
      mentions: (mentionsBy.get(r.id) ?? []).map((m) => m.userId),
      hashtags: (hashtagsBy.get(r.id) ?? []).map((h) => h.tag),
      attachments: (attachmentsBy.get(r.id) ?? []).map(({ postId: _p, storageKey, ...a }) => {
        storageKeys.set(a.id, storageKey);
        return { ...a, path: null };
      }),
      source: { kind: r.source, ref: r.sourceRef, provenance: r.provenance },
    }));
  }

  /**
   * The original messages of posts that came by email (the raw MIME the bridge stored before
   * accepting them): their row ids, sizes and hashes; the bytes are read one at a time (emailRaw).
   */
  async emailOriginals(orgId: string, postIds: string[]): Promise<Map<string, { inboundId: string; sizeBytes: number; sha256: string }>> {
    if (postIds.length === 0) return new Map();
    const rows = await this.db.withOrg(orgId, (tx) =>
      tx.query<{ postId: string; inboundId: string; sizeBytes: number; sha256: string }>(
        `SELECT DISTINCT ON (post_id) post_id AS "postId", id AS "inboundId", length(raw) AS "sizeBytes", encode(raw_sha256, 'hex') AS sha256
         FROM email_inbound WHERE org_id = $1 AND post_id = ANY($2::uuid[]) ORDER BY post_id, received_at`,
        [orgId, postIds],
      ),
    );
    return new Map(rows.map(({ postId, ...o }) => [postId, o]));
  }

  async emailRaw(orgId: string, inboundId: string): Promise<Buffer> {
    const rows = await this.db.withOrg(orgId, (tx) => tx.query<{ raw: Buffer }>(`SELECT raw FROM email_inbound WHERE org_id = $1 AND id = $2`, [orgId, inboundId]));
    return rows[0]?.raw ?? Buffer.alloc(0);
  }

  /** The org's whole audit chain, from its first event, in seq order (so it can be verified from genesis). */
  async auditBatch(orgId: string, afterSeq: number, size: number): Promise<ExportAuditEvent[]> {
    return this.db.withOrg(orgId, (tx) =>
      tx.query<ExportAuditEvent>(
        `SELECT org_id AS "orgId", seq::int AS seq, id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
           actor_type AS "actorType", actor_id AS "actorId", action, target_type AS "targetType", target_id AS "targetId",
           ip, request_id AS "requestId", data, encode(prev_hash, 'hex') AS "prevHash", encode(hash, 'hex') AS hash
         FROM audit_event WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [orgId, afterSeq, size],
      ),
    );
  }

  /** The newest audit event's seq and hash: the chain head a bundle is sealed with. */
  async auditHead(orgId: string): Promise<{ seq: number; hash: string } | null> {
    const rows = await this.db.withOrg(orgId, (tx) =>
      tx.query<{ seq: number; hash: string }>(
        `SELECT seq::int AS seq, encode(hash, 'hex') AS hash FROM audit_event WHERE org_id = $1 ORDER BY seq DESC LIMIT 1`,
        [orgId],
      ),
    );
    return rows[0] ?? null;
  }
}
