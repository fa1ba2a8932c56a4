// Server-side seeding for the scale benchmark: `INSERT … SELECT generate_series` (pg-copy-streams
// is not installed, and generating rows inside PostgreSQL avoids shipping them through Node at
// all). Ids are deterministic (md5 of a name), so every step can find "user 0 of org 1" again.
//
// Triggers (and the foreign-key triggers) are off during the bulk load
// (session_replication_role = replica); the app's invariants are restored set-based afterwards:
// reply_count by one UPDATE, post.on_hold by the app's own legal_hold_refresh(); search is a
// generated column and is computed either way. The stream, search and hashtag indexes are
// dropped before the load and rebuilt from their own definitions after it.

const H = (x, m, salt = 0) => `(((${x})::bigint + ${salt}) * ${m} % 4294967291)`;
const M1 = 2654435761;
const M2 = 2246822519;
const M3 = 3266489917;
const M4 = 668265263;
const M5 = 374761393;

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

// md5 of a name, shaped as a version-4 UUID (the API's validators want v4).
const V4 = (x) => `overlay(overlay(md5(${x}) placing '4' from 13) placing '8' from 17)::uuid`;
const ORG = (k) => V4(`'o' || ${k}`);
const USER = (k, i) => V4(`'u' || ${k} || '-' || (${i})`);
const GROUP = (k, i) => V4(`'g' || ${k} || '-' || (${i})`);
export const ids = {
  org: ORG,
};

/** The SELECT list of generated posts for org `o` (a bench.org row) with local index `i`. */
function postRows({ prefix, ageFrom, ageSpan, count }) {
  // i: local index; replies are i % 5 = 4 and answer a root among the previous 100 posts
  // (i - 1 - 5x keeps residue 3: a root); edited posts are i % 5 = 2.
  const root = `(CASE WHEN i % 5 = 4 THEN (CASE WHEN i - 1 - 5 * (${H('i', M1)} % 20) >= 0 THEN i - 1 - 5 * (${H('i', M1)} % 20) ELSE i - 1 END) ELSE i END)`;
  const group = `(CASE WHEN ${H(root, M2)} % 3 = 0 THEN NULL ELSE ${GROUP('o.k', `${H(root, M3)} % o.groups`)} END)`;
  const created = `(now() - make_interval(secs => ${ageFrom}::float8 + ${ageSpan}::float8 * (${count} - i)::float8 / ${count}::float8))`;
  const word = (salt) => `(${arr(COMMON)})[1 + ${H('i', M4, salt)} % ${COMMON.length}]`;
  const mid = (salt) => `'item' || (${H('i', M5, salt)} % 500)`;
  const body = `${word(1)} || ' ' || ${word(2)} || ' shipped the ' || ${mid(3)} || ' update for ' || ${mid(4)} || '. Next: ' || ${word(5)} || ' review. #topic' || (${H('i', M2, 6)} % 100) || ' #team' || (${H('i', M3, 7)} % 20)`;
  return `SELECT o.id AS org_id, ${V4(`'${prefix}' || o.k || '-' || i`)} AS id,
            ${USER('o.k', `${H('i', M4)} % o.users`)} AS author_id,
            ${group} AS group_id,
            CASE WHEN i % 5 = 4 THEN ${V4(`'${prefix}' || o.k || '-' || ${root}`)} END AS parent_id,
            ${body} AS body, 'web' AS source,
            CASE WHEN i % 5 = 2 THEN 2 ELSE 1 END AS version,
            ${created} AS created_at,
            CASE WHEN i % 5 = 2 THEN least(now(), ${created} + interval '1 hour') END AS edited_at`;
}
const arr = (words) => `ARRAY[${words.map((w) => `'${w}'`).join(',')}]`;

const POST_COLS = 'org_id, id, author_id, group_id, parent_id, body, source, version, created_at, edited_at';
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
  await client.query(`SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 2; SET session_replication_role = replica; SET synchronous_commit = off`);
  const big = (x) => `ceil(${x} / 2.0)::int`;
  const rest = (x, min) => `greatest(${min}, floor((${x} - ceil(${x} / 2.0)) / ${Math.max(1, z.orgs - 1)}.0))::int`;
  await client.query(`DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench`);
  await client.query(`CREATE TABLE bench.org AS
    SELECT k, ${ORG('k')} AS id, CASE WHEN k = 1 THEN 'big' ELSE 'org' || k END AS slug,
      CASE WHEN k = 1 THEN ${big(z.users)} ELSE ${rest(z.users, 10)} END AS users,
      CASE WHEN k = 1 THEN ${big(z.groups)} ELSE ${rest(z.groups, 2)} END AS groups,
      CASE WHEN k = 1 THEN ${big(z.memberships)} ELSE ${rest(z.memberships, 10)} END AS memberships,
      CASE WHEN k = 1 THEN ${big(z.follows)} ELSE ${rest(z.follows, 10)} END AS follows,
      CASE WHEN k = 1 THEN ${big(z.posts)} ELSE ${rest(z.posts, 10)} END AS posts
    FROM generate_series(1, ${z.orgs}) k`);
  await client.query(`INSERT INTO org (id, slug, name) SELECT id, 'bench-' || slug, 'Bench ' || slug FROM bench.org`);
  t.users = await timed(log, 'users', client, `INSERT INTO user_account (org_id, id, email, display_name, handle, role, created_at)
    SELECT o.id, ${USER('o.k', 'i')}, 'user' || i || '@' || o.slug || '.test', 'User ' || i, 'user' || i,
           CASE i WHEN 1 THEN 'compliance' WHEN 2 THEN 'admin' ELSE 'member' END, now() - interval '800 days'
    FROM bench.org o, generate_series(0, o.users - 1) i`);
  t.groups = await timed(log, 'groups', client, `INSERT INTO org_group (org_id, id, name, visibility, created_by, created_at)
    SELECT o.id, ${GROUP('o.k', 'i')}, 'Group ' || i, CASE WHEN i > 0 AND i % 5 = 0 THEN 'private' ELSE 'public' END, ${USER('o.k', '0')}, now() - interval '800 days'
    FROM bench.org o, generate_series(0, o.groups - 1) i`);
  // Group 0 of every org: the first min(500, users) users (user 0 owns it); the rest at random.
  t.memberships = await timed(log, 'memberships', client, `INSERT INTO group_membership (org_id, group_id, user_id, role)
    SELECT o.id, ${GROUP('o.k', '0')}, ${USER('o.k', 'i')}, CASE WHEN i = 0 THEN 'owner' ELSE 'member' END
    FROM bench.org o, generate_series(0, least(499, o.users - 1)) i;
    INSERT INTO group_membership (org_id, group_id, user_id, role)
    SELECT o.id, ${GROUP('o.k', `1 + ${H('j', M1)} % greatest(1, o.groups - 1)`)}, ${USER('o.k', `${H('j', M2)} % o.users`)}, 'member'
    FROM bench.org o, generate_series(0, o.memberships - least(500, o.users) - 1) j
    ON CONFLICT DO NOTHING`);
  t.follows = await timed(log, 'follows', client, `INSERT INTO user_follow (org_id, follower_id, followee_id)
    SELECT o.id, ${USER('o.k', `${H('j', M3)} % o.users`)}, ${USER('o.k', `${H('j', M4)} % o.users`)}
    FROM bench.org o, generate_series(0, o.follows - 1) j
    WHERE ${H('j', M3)} % o.users <> ${H('j', M4)} % o.users
    ON CONFLICT DO NOTHING`);

  const indexes = (await client.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) AND indexname NOT LIKE '%\\_pkey'`,
    [BULK_TABLES],
  )).rows;
  for (const ix of indexes) await client.query(`DROP INDEX ${ix.indexname}`);
  t.posts = await timed(log, 'posts', client, `INSERT INTO post (${POST_COLS})
    ${postRows({ prefix: 'p', ageFrom: 0, ageSpan: z.days * 86400, count: 'o.posts' })}
    FROM bench.org o, generate_series(0, o.posts - 1) i`);
  t.versions = await timed(log, 'post_version', client, `INSERT INTO post_version (org_id, post_id, version, body, edited_by, created_at)
    SELECT org_id, id, 1, CASE WHEN version = 2 THEN body || ' (draft)' ELSE body END, author_id, created_at FROM post
    UNION ALL
    SELECT org_id, id, 2, body, author_id, edited_at FROM post WHERE version = 2`);
  t.hashtags = await timed(log, 'post_hashtag', client, hashtagsSql('TRUE'));
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

const hashtagsSql = (where) => `INSERT INTO post_hashtag (org_id, post_id, tag, created_at)
    SELECT p.org_id, p.id, m[1], p.created_at FROM post p, regexp_matches(p.body, '#([a-z0-9_]+)', 'g') m WHERE ${where}
    ON CONFLICT DO NOTHING`;
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
  t.posts = await timed(log, 'expired posts', client, `INSERT INTO post (${POST_COLS})
    ${postRows({ prefix: z.prefix ?? 'x', ageFrom: 400 * 86400, ageSpan: span, count: z.expired })}
    FROM bench.org o, generate_series(0, ${z.expired - 1}) i WHERE o.k = 1`);
  const mine = `org_id = ${ORG(1)} AND created_at < now() - interval '399 days'`;
  t.versions = await timed(log, 'expired versions', client, `INSERT INTO post_version (org_id, post_id, version, body, edited_by, created_at)
    SELECT org_id, id, 1, body, author_id, created_at FROM post WHERE ${mine}
    UNION ALL SELECT org_id, id, 2, body || ' (edited)', author_id, edited_at FROM post WHERE ${mine} AND version = 2
    ON CONFLICT DO NOTHING`); // held posts a previous --keep run's sweep left keep their versions
  t.hashtags = await timed(log, 'expired hashtags', client, hashtagsSql(`p.org_id = ${ORG(1)} AND p.created_at < now() - interval '399 days'`));
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
