// Seeding for the scale benchmark: rows are generated in Node and loaded with COPY … FROM STDIN
// (pg-copy-streams), one stream per table. Ids are deterministic (md5 of a name, shaped as a v4
// UUID), so every step can find "user 0 of org 1" again, in SQL (USER, GROUP below) as in Node.
//
// Triggers (and the foreign-key triggers) are off during the bulk load
// (session_replication_role = replica); the app's invariants are restored set-based afterwards:
// reply_count by one UPDATE, post.on_hold by the app's own legal_hold_refresh(); search is a
// generated column and is computed either way. The stream, search and hashtag indexes are
// dropped before the load and rebuilt from their own definitions after it.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';

const M1 = 2654435761;
const M2 = 2246822519;
const M3 = 3266489917;
const M4 = 668265263;
const M5 = 374761393;
const P = 4294967291;
/** A cheap deterministic hash of a row number: ((x + salt) * m) mod a prime (exact: the product stays below 2^53). */
const h = (x, m, salt = 0) => ((x + salt) * m) % P;

export const COMMON = ('project launch customer review design budget hiring roadmap release meeting quarter sales support ' +
  'feedback security onboarding migration platform partner strategy training process workshop survey product ' +
  'marketing finance office travel policy incident deadline update status report goal metrics demo prototype ' +
  'research planning kickoff retro backlog sprint server network mobile data analytics pricing contract').split(' ');

export function sizes(opts) {
  const s = opts.scale ?? 1;
  const n = (key, def) => Math.max(1, Math.round(opts[key] ?? def * s));
  return {
    orgs: opts.orgs ?? 10,
    posts: n('posts', 2_000_000),
    users: n('users', 10_000),
    groups: n('groups', 500),
    memberships: n('memberships', 100_000),
    follows: n('follows', 500_000),
    expired: n('expired', 1_000_000),
    days: 365,
  };
}

// md5 of a name, shaped as a version-4 UUID (the API's validators want v4): in SQL and in Node.
const V4 = (x) => `overlay(overlay(md5(${x}) placing '4' from 13) placing '8' from 17)::uuid`;
const ORG = (k) => V4(`'o' || ${k}`);
const USER = (k, i) => V4(`'u' || ${k} || '-' || (${i})`);
const GROUP = (k, i) => V4(`'g' || ${k} || '-' || (${i})`);
export const ids = {
  org: ORG,
};
function v4(name) {
  const x = createHash('md5').update(name).digest('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-8${x.slice(17, 20)}-${x.slice(20)}`;
}

/** The orgs and their shares: the first ("big") holds half of everything, the rest split the other half. */
function orgPlan(z) {
  const big = (x) => Math.ceil(x / 2);
  const rest = (x, min) => Math.max(min, Math.floor((x - Math.ceil(x / 2)) / Math.max(1, z.orgs - 1)));
  const orgs = [];
  for (let k = 1; k <= z.orgs; k++) {
    const pick = (x, min) => (k === 1 ? big(x) : rest(x, min));
    const o = {
      k,
      id: v4(`o${k}`),
      slug: k === 1 ? 'big' : `org${k}`,
      users: pick(z.users, 10),
      groups: pick(z.groups, 2),
      memberships: pick(z.memberships, 10),
      follows: pick(z.follows, 10),
      posts: pick(z.posts, 10),
    };
    o.userIds = Array.from({ length: o.users }, (_, i) => v4(`u${k}-${i}`));
    o.groupIds = Array.from({ length: o.groups }, (_, i) => v4(`g${k}-${i}`));
    orgs.push(o);
  }
  return orgs;
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null is \N. */
const cell = (v) => (v === null || v === undefined ? '\\N' : String(v).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]));

/** Streams the rows of a generator into `COPY table (columns) FROM STDIN`; returns seconds and rows. */
async function copyRows(log, label, client, table, columns, rows) {
  const t = performance.now();
  let n = 0;
  async function* text() {
    let chunk = '';
    for (const row of rows) {
      chunk += `${row.map(cell).join('\t')}\n`;
      n++;
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(text()), client.query(copyStreams.from(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
  const s = (performance.now() - t) / 1000;
  log(`  ${label}: ${s.toFixed(1)} s (${n} rows, COPY)`);
  return s;
}

/**
 * The generated posts of org `o`: local index i from 0 to count - 1, created from `ageFrom` to
 * `ageFrom + ageSpan` seconds ago (oldest first). Replies are i % 5 = 4 and answer a root among
 * the previous 100 posts (i - 1 - 5x keeps residue 3: a root); edited posts are i % 5 = 2; each
 * body carries two hashtags, #topicN of 100 and #teamN of 20.
 */
function* posts(o, { prefix, ageFrom, ageSpan, count, now }) {
  for (let i = 0; i < count; i++) {
    const reply = i % 5 === 4;
    const back = i - 1 - 5 * (h(i, M1) % 20);
    const root = reply ? (back >= 0 ? back : i - 1) : i;
    const groupId = h(root, M2) % 3 === 0 ? null : o.groupIds[h(root, M3) % o.groups];
    const created = now - (ageFrom + (ageSpan * (count - i)) / count) * 1000;
    const word = (salt) => COMMON[h(i, M4, salt) % COMMON.length];
    const item = (salt) => `item${h(i, M5, salt) % 500}`;
    const topic = `topic${h(i, M2, 6) % 100}`;
    const team = `team${h(i, M3, 7) % 20}`;
    const edited = i % 5 === 2;
    yield {
      id: v4(`${prefix}${o.k}-${i}`),
      authorId: o.userIds[h(i, M4) % o.users],
      groupId,
      parentId: reply ? v4(`${prefix}${o.k}-${root}`) : null,
      body: `${word(1)} ${word(2)} shipped the ${item(3)} update for ${item(4)}. Next: ${word(5)} review. #${topic} #${team}`,
      version: edited ? 2 : 1,
      createdAt: new Date(created).toISOString(),
      editedAt: edited ? new Date(Math.min(now, created + 3600_000)).toISOString() : null,
      tags: [topic, team],
    };
  }
}

const POST_COLUMNS = ['org_id', 'id', 'author_id', 'group_id', 'parent_id', 'body', 'source', 'version', 'created_at', 'edited_at'];
const VERSION_COLUMNS = ['org_id', 'post_id', 'version', 'body', 'edited_by', 'created_at'];
const HASHTAG_COLUMNS = ['org_id', 'post_id', 'tag', 'created_at'];

/** Loads posts, their versions (two for an edited post) and hashtags: three COPY passes over the same generator. */
async function copyPosts(log, client, orgs, spec, label, draft) {
  const t = {};
  const each = function* (fn) {
    for (const o of orgs) for (const p of posts(o, { ...spec, count: spec.count ?? o.posts })) yield* fn(o, p);
  };
  t.posts = await copyRows(log, `${label}posts`, client, 'post', POST_COLUMNS,
    each(function* (o, p) { yield [o.id, p.id, p.authorId, p.groupId, p.parentId, p.body, 'web', p.version, p.createdAt, p.editedAt]; }));
  t.versions = await copyRows(log, `${label}post_version`, client, 'post_version', VERSION_COLUMNS,
    each(function* (o, p) {
      yield [o.id, p.id, 1, p.version === 2 ? `${p.body} ${draft}` : p.body, p.authorId, p.createdAt];
      if (p.version === 2) yield [o.id, p.id, 2, p.body, p.authorId, p.editedAt];
    }));
  t.hashtags = await copyRows(log, `${label}post_hashtag`, client, 'post_hashtag', HASHTAG_COLUMNS,
    each(function* (o, p) { for (const tag of p.tags) yield [o.id, p.id, tag, p.createdAt]; }));
  return t;
}

const BULK_TABLES = ['post', 'post_version', 'post_hashtag'];

async function timed(log, label, client, sql, params) {
  const t = performance.now();
  const r = await client.query(sql, params);
  const s = (performance.now() - t) / 1000;
  log(`  ${label}: ${s.toFixed(1)} s${r.rowCount != null && r.command !== 'SELECT' ? ` (${r.rowCount} rows)` : ''}`);
  return s;
}

/** Seeds the main dataset into a freshly migrated database. Returns timings (seconds). */
export async function seedMain(client, z, log) {
  const t = {};
  const began = performance.now();
  const now = Date.now();
  const longAgo = new Date(now - 800 * 86400_000).toISOString();
  await client.query(`SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 2; SET session_replication_role = replica; SET synchronous_commit = off`);
  const orgs = orgPlan(z);
  await client.query(`DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench;
    CREATE TABLE bench.org (k int PRIMARY KEY, id uuid NOT NULL, slug text NOT NULL, users int, groups int, memberships int, follows int, posts int)`);
  t.orgs = await copyRows(log, 'orgs', client, 'org', ['id', 'slug', 'name'], orgs.map((o) => [o.id, `bench-${o.slug}`, `Bench ${o.slug}`]));
  await copyRows(log, 'bench.org', client, 'bench.org', ['k', 'id', 'slug', 'users', 'groups', 'memberships', 'follows', 'posts'],
    orgs.map((o) => [o.k, o.id, o.slug, o.users, o.groups, o.memberships, o.follows, o.posts]));
  const role = (i) => (i === 1 ? 'compliance' : i === 2 ? 'admin' : 'member');
  t.users = await copyRows(log, 'users', client, 'user_account', ['org_id', 'id', 'email', 'display_name', 'handle', 'role', 'created_at'],
    (function* () { for (const o of orgs) for (let i = 0; i < o.users; i++) yield [o.id, o.userIds[i], `user${i}@${o.slug}.test`, `User ${i}`, `user${i}`, role(i), longAgo]; })());
  t.groups = await copyRows(log, 'groups', client, 'org_group', ['org_id', 'id', 'name', 'visibility', 'created_by', 'created_at'],
    (function* () { for (const o of orgs) for (let i = 0; i < o.groups; i++) yield [o.id, o.groupIds[i], `Group ${i}`, i > 0 && i % 5 === 0 ? 'private' : 'public', o.userIds[0], longAgo]; })());
  // Group 0 of every org: the first min(500, users) users (user 0 owns it); the rest at random, each pair once.
  t.memberships = await copyRows(log, 'memberships', client, 'group_membership', ['org_id', 'group_id', 'user_id', 'role'],
    (function* () {
      for (const o of orgs) {
        const first = Math.min(500, o.users);
        const seen = new Set();
        for (let i = 0; i < first; i++) {
          seen.add(i);
          yield [o.id, o.groupIds[0], o.userIds[i], i === 0 ? 'owner' : 'member'];
        }
        for (let j = 0; j < o.memberships - first; j++) {
          const g = 1 + (h(j, M1) % Math.max(1, o.groups - 1));
          const u = h(j, M2) % o.users;
          const key = g * o.users + u;
          if (g >= o.groups || seen.has(key)) continue;
          seen.add(key);
          yield [o.id, o.groupIds[g], o.userIds[u], 'member'];
        }
      }
    })());
  t.follows = await copyRows(log, 'follows', client, 'user_follow', ['org_id', 'follower_id', 'followee_id'],
    (function* () {
      for (const o of orgs) {
        const seen = new Set();
        for (let j = 0; j < o.follows; j++) {
          const a = h(j, M3) % o.users;
          const b = h(j, M4) % o.users;
          const key = a * o.users + b;
          if (a === b || seen.has(key)) continue;
          seen.add(key);
          yield [o.id, o.userIds[a], o.userIds[b]];
        }
      }
    })());

  const indexes = (await client.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) AND indexname NOT LIKE '%\\_pkey'`,
    [BULK_TABLES],
  )).rows;
  for (const ix of indexes) await client.query(`DROP INDEX ${ix.indexname}`);
  Object.assign(t, await copyPosts(log, client, orgs, { prefix: 'p', ageFrom: 0, ageSpan: z.days * 86400, now }, '', '(draft)'));
  t.replyCount = await timed(log, 'reply_count', client, replyCountSql('TRUE'));
  const ib = performance.now();
  for (const ix of indexes) await client.query(ix.indexdef);
  t.indexes = (performance.now() - ib) / 1000;
  log(`  indexes rebuilt: ${t.indexes.toFixed(1)} s`);
  // 1% under hold: one hold per org over 1% of the year (plus the replies of the roots it covers).
  t.holds = await timed(log, 'legal holds', client, `INSERT INTO legal_hold (org_id, matter, created_by, starts_at, ends_at)
    SELECT o.id, 'Bench matter', ${USER('o.k', '1')}, now() - interval '200 days', now() - interval '200 days' + make_interval(secs => ${z.days} * 86400 * 0.01)
    FROM bench.org o`);
  t.holdRefresh = await refreshHolds(client, log);
  t.vacuum = await timed(log, 'vacuum analyze', client, `VACUUM ANALYZE`);
  await client.query(`SET session_replication_role = origin`);
  t.total = (performance.now() - began) / 1000;
  return t;
}

const replyCountSql = (where) => `UPDATE post p SET reply_count = c.n
    FROM (SELECT org_id, parent_id, count(*) AS n FROM post WHERE parent_id IS NOT NULL AND deleted_at IS NULL AND ${where} GROUP BY 1, 2) c
    WHERE p.org_id = c.org_id AND p.id = c.parent_id`;

async function refreshHolds(client, log) {
  const t = performance.now();
  const orgs = (await client.query(`SELECT id FROM bench.org ORDER BY k`)).rows;
  let held = 0;
  for (const { id } of orgs) {
    await client.query(`SELECT set_config('app.org_id', $1, false)`, [id]);
    held += Number((await client.query(`SELECT legal_hold_refresh() AS n`)).rows[0].n);
  }
  await client.query(`SELECT set_config('app.org_id', '', false)`);
  const s = (performance.now() - t) / 1000;
  log(`  legal_hold_refresh: ${s.toFixed(1)} s (${held} held)`);
  return s;
}

/**
 * The retention sweep's material: `count` posts in the big org aged from 400 days back (the
 * policy keeps 390), the same shape as the rest (20% replies, 20% edited, 2 hashtags), and a
 * hold over 1% of that period. Removed again by the sweep; re-seeded by every run.
 */
export async function seedExpired(client, z, log) {
  const t = {};
  const began = performance.now();
  await client.query(`SET session_replication_role = replica; SET synchronous_commit = off; SET maintenance_work_mem = '512MB'`);
  await client.query(`DELETE FROM legal_hold WHERE matter = 'Bench expired matter'`);
  const span = 365 * 86400;
  const [big] = orgPlan({ ...z, orgs: z.orgs });
  Object.assign(t, await copyPosts(log, client, [big], { prefix: z.prefix ?? 'x', ageFrom: 400 * 86400, ageSpan: span, count: z.expired, now: Date.now() }, 'expired ', '(draft)'));
  const mine = `org_id = ${ORG(1)} AND created_at < now() - interval '399 days'`;
  t.replyCount = await timed(log, 'expired reply_count', client, replyCountSql(mine));
  t.hold = await timed(log, 'expired hold', client, `INSERT INTO legal_hold (org_id, matter, created_by, starts_at, ends_at)
    VALUES (${ORG(1)}, 'Bench expired matter', ${USER(1, '1')}, now() - interval '600 days', now() - interval '600 days' + make_interval(secs => ${span} * 0.01))`);
  await client.query(`SELECT set_config('app.org_id', ${ORG(1)}::text, false)`);
  t.holdRefresh = await timed(log, 'legal_hold_refresh (big org)', client, `SELECT legal_hold_refresh()`);
  await client.query(`SELECT set_config('app.org_id', '', false); SET session_replication_role = origin`);
  t.analyze = await timed(log, 'analyze', client, `ANALYZE post; ANALYZE post_version; ANALYZE post_hashtag`);
  t.total = (performance.now() - began) / 1000;
  return t;
}

/** Facts about the seeded data, counted. */
export async function counts(client) {
  const q = async (sql) => Number((await client.query(sql)).rows[0].n);
  const big = ORG(1);
  return {
    orgs: await q(`SELECT count(*) n FROM org`),
    users: await q(`SELECT count(*) n FROM user_account`),
    groups: await q(`SELECT count(*) n FROM org_group`),
    memberships: await q(`SELECT count(*) n FROM group_membership`),
    follows: await q(`SELECT count(*) n FROM user_follow`),
    posts: await q(`SELECT count(*) n FROM post`),
    replies: await q(`SELECT count(*) n FROM post WHERE parent_id IS NOT NULL`),
    edited: await q(`SELECT count(*) n FROM post WHERE version = 2`),
    postVersions: await q(`SELECT count(*) n FROM post_version`),
    postHashtags: await q(`SELECT count(*) n FROM post_hashtag`),
    held: await q(`SELECT count(*) n FROM post WHERE on_hold`),
    bigOrgPosts: await q(`SELECT count(*) n FROM post WHERE org_id = ${big}`),
    bigOrgExpired: await q(`SELECT count(*) n FROM post WHERE org_id = ${big} AND created_at < now() - interval '390 days'`),
    bigOrgHeld: await q(`SELECT count(*) n FROM post WHERE org_id = ${big} AND on_hold`),
    group0Members: await q(`SELECT count(*) n FROM group_membership WHERE org_id = ${big} AND group_id = ${GROUP(1, '0')}`),
    dbSizeMB: Math.round((await q(`SELECT pg_database_size(current_database()) n`)) / 2 ** 20),
  };
}

export const BIG_ORG_SQL = ORG(1);
export const userIdSql = (k, i) => USER(k, String(i));
export const groupIdSql = (k, i) => GROUP(k, String(i));
