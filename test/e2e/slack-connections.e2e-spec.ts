import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/common/logger.js';
import type { AuthContext } from '../../src/identity/auth-context.js';
import type { InProcessJobQueue } from '../../src/jobs/in-process-job-queue.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { JobName } from '../../src/jobs/job.types.js';
import { PostService } from '../../src/posts/post.service.js';
import { SlackMirrorProcessor } from '../../integrations/slack/mirror/slack-mirror.processor.js';
import { SlackOAuthState } from '../../integrations/slack/connections/slack-oauth-state.js';
import { SlackInstallations, SlackLinks } from '../../integrations/slack/slack.types.js';
import { expectProblem } from '../helpers/assertions.js';
import { FakeSlackApi } from '../helpers/slack.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';

const PUBLIC_URL = 'http://chorus.test';
const CLIENT_ID = '1234.5678';
const CLIENT_SECRET = 'slack-client-secret-for-tests';
const teamId = () => `T${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
const channelId = () => `C${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;

/** The org admin as a service caller (what the inbound side does for a mapped Slack user). */
const adminAuth = (org: TestOrg): AuthContext => ({
  orgId: org.id,
  userId: org.admin.id,
  role: 'admin',
  method: 'session',
  sessionId: null,
  tokenId: null,
  actor: { type: 'user', userId: org.admin.id, role: 'admin', ip: null, requestId: null },
});

describe('Slack connections: installations, links, mirroring', () => {
  let t: TestApp;
  let fake: FakeSlackApi;
  let logs = '';

  beforeAll(async () => {
    fake = new FakeSlackApi();
    // Tokens name their workspace (`xoxb-<team>-…`), so every test connects a workspace of its own.
    fake.on('auth.test', (call) => {
      const team = call.token?.split('-')[1] ?? '';
      if (!/^T[A-Z0-9]+$/.test(team)) return { ok: false, error: 'invalid_auth' };
      return { ok: true, team: `Team ${team}`, team_id: team, user_id: 'UBOT00001', bot_id: 'BBOT00001', url: 'https://x.slack.com/' };
    });
    await fake.start();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    t = await startTestApp(
      {
        SLACK_API_URL: fake.url,
        SECRETS_KEY: randomBytes(32).toString('base64'),
        PUBLIC_URL,
        REDIS_URL: '',
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
      },
      createLogger('trace', sink),
    );
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const drain = () => (t.app.get(JobQueue) as InProcessJobQueue).drain();
  const botToken = (team: string) => `xoxb-${team}-${randomBytes(12).toString('hex')}`;

  async function connect(org: TestOrg, team = teamId()) {
    const token = botToken(team);
    const res = await api(t.http).post('/api/v1/admin/slack/installations/token').set(bearer(org.admin)).send({ botToken: token }).expect(201);
    return { id: res.body.id as string, team, token };
  }

  async function newGroup(user: TestUser): Promise<string> {
    const g = await api(t.http).post('/api/v1/groups').set(bearer(user)).send({ name: `Slack ${randomUUID().slice(0, 8)}` }).expect(201);
    return g.body.id as string;
  }

  async function auditActions(org: TestOrg, action: string) {
    const res = await api(t.http).get(`/api/v1/audit?action=${action}`).set(bearer(org.admin)).expect(200);
    return res.body.items as Array<{ action: string; target: { type: string; id: string } | null; data: Record<string, unknown> }>;
  }

  const post = (user: TestUser, body: Record<string, unknown>) => api(t.http).post('/api/v1/posts').set(bearer(user)).send(body).expect(201);
  const mirrorsOf = (postId: string) => fake.callsOf('chat.postMessage').filter((c) => String(c.body.text).includes(`/posts/${postId}|`));

  describe('connecting with a bot token', () => {
    it('checks the token with auth.test, stores it sealed, and never shows or logs it', async () => {
      const org = await t.factory.newOrg();
      const team = teamId();
      const token = botToken(team);
      const res = await api(t.http).post('/api/v1/admin/slack/installations/token').set(bearer(org.admin)).send({ botToken: token, signingSecret: 'own-signing-secret-1' }).expect(201);
      expect(res.body).toMatchObject({ teamId: team, teamName: `Team ${team}`, botUserId: 'UBOT00001', botId: 'BBOT00001', method: 'token', ownSigningSecret: true, revokedAt: null });
      expect(fake.callsOf('auth.test').some((c) => c.token === token)).toBe(true);

      const list = await api(t.http).get('/api/v1/admin/slack/installations').set(bearer(org.admin)).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([res.body.id]);
      for (const body of [JSON.stringify(res.body), JSON.stringify(list.body), logs]) {
        expect(body.includes(token)).toBe(false);
        expect(body.includes('own-signing-secret-1')).toBe(false);
      }
      const row = await t.superuser.query(`SELECT bot_token_sealed, signing_secret_sealed FROM slack_installation WHERE id = $1`, [res.body.id]);
      expect(row.rows[0].bot_token_sealed).toMatch(/^v1\./);
      expect(row.rows[0].bot_token_sealed.includes(token)).toBe(false);
      expect(row.rows[0].signing_secret_sealed.includes('own-signing-secret-1')).toBe(false);

      const audits = await auditActions(org, 'slack.installed');
      expect(audits[0]).toMatchObject({ target: { type: 'slack_installation', id: res.body.id }, data: { teamId: team, method: 'token' } });
      expect(JSON.stringify(audits).includes(token)).toBe(false);
    });

    it('refuses a token Slack does not accept (400) and a workspace connected to another org (409)', async () => {
      const org = await t.factory.newOrg();
      const bad = await api(t.http).post('/api/v1/admin/slack/installations/token').set(bearer(org.admin)).send({ botToken: 'xoxb-nothing-here' });
      expectProblem(bad, 400, 'slack_token_invalid');

      const { team } = await connect(org);
      const other = await t.factory.newOrg();
      const clash = await api(t.http).post('/api/v1/admin/slack/installations/token').set(bearer(other.admin)).send({ botToken: botToken(team) });
      expectProblem(clash, 409, 'slack_team_connected_elsewhere');
      // The same org reconnecting its workspace replaces the token instead.
      await api(t.http).post('/api/v1/admin/slack/installations/token').set(bearer(org.admin)).send({ botToken: botToken(team) }).expect(201);
      const list = await api(t.http).get('/api/v1/admin/slack/installations').set(bearer(org.admin)).expect(200);
      expect(list.body.items).toHaveLength(1);
    });
  });

  describe('OAuth v2 install', () => {
    async function start(user: TestUser): Promise<URL> {
      const res = await api(t.http).get('/integrations/slack/oauth/start').set(bearer(user)).expect(302);
      return new URL(res.headers.location);
    }

    it('redirects to Slack, exchanges the code with our client credentials, stores the installation', async () => {
      const org = await t.factory.newOrg();
      const team = teamId();
      const accessToken = botToken(team);
      fake.on('oauth.v2.access', () => ({
        ok: true,
        access_token: accessToken,
        token_type: 'bot',
        scope: 'commands,chat:write',
        bot_user_id: 'UBOT00001',
        app_id: 'ATEST0001',
        team: { id: team, name: 'OAuth Team' },
        enterprise: null,
      }));
      const location = await start(org.admin);
      expect(`${location.origin}${location.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
      expect(location.searchParams.get('client_id')).toBe(CLIENT_ID);
      expect(location.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/integrations/slack/oauth/callback`);
      expect(location.searchParams.get('scope')!.split(',')).toEqual(expect.arrayContaining(['commands', 'chat:write', 'channels:history', 'users:read.email']));
      const state = location.searchParams.get('state')!;

      const back = await api(t.http).get('/integrations/slack/oauth/callback').query({ code: 'the-code', state }).set(bearer(org.admin)).expect(303);
      expect(back.headers.location).toBe(`/?slack=installed&team=${team}`);
      const exchange = fake.callsOf('oauth.v2.access').at(-1)!;
      expect(exchange.body).toMatchObject({ code: 'the-code', redirect_uri: `${PUBLIC_URL}/integrations/slack/oauth/callback`, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });

      const list = await api(t.http).get('/api/v1/admin/slack/installations').set(bearer(org.admin)).expect(200);
      expect(list.body.items).toEqual([expect.objectContaining({ teamId: team, teamName: 'OAuth Team', method: 'oauth', appId: 'ATEST0001', botScopes: ['commands', 'chat:write'] })]);
      expect(JSON.stringify(list.body).includes(accessToken)).toBe(false);
      expect(logs.includes(accessToken)).toBe(false);
      expect(await auditActions(org, 'slack.installed')).toHaveLength(1);

      const again = await api(t.http).get('/integrations/slack/oauth/callback').query({ code: 'the-code', state }).set(bearer(org.admin));
      expectProblem(again, 400, 'slack_oauth_state_invalid');

      // Cancel at Slack: back home with the reason, nothing stored or exchanged.
      const calls = fake.callsOf('oauth.v2.access').length;
      const cancelled = (await start(org.admin)).searchParams.get('state')!;
      const declined = await api(t.http).get('/integrations/slack/oauth/callback').query({ error: 'access_denied', state: cancelled }).set(bearer(org.admin)).expect(303);
      expect(declined.headers.location).toBe('/?slack=declined&reason=access_denied');
      expect(fake.callsOf('oauth.v2.access').length).toBe(calls);
    });

    it('refuses a forged, expired or someone else’s state without calling Slack', async () => {
      const org = await t.factory.newOrg();
      const before = fake.callsOf('oauth.v2.access').length;
      const state = (await start(org.admin)).searchParams.get('state')!;
      const [payload, mac] = state.split('.');
      const cases = [
        'nonsense',
        `${payload}.${mac.slice(0, -2)}AA`,
        `${Buffer.from(JSON.stringify({ o: org.id, u: org.admin.id, n: 'x', e: Date.now() + 60_000 })).toString('base64url')}.${mac}`,
        t.app.get(SlackOAuthState).issue({ orgId: org.id, userId: org.admin.id }, Date.now() - 11 * 60_000),
      ];
      for (const bad of cases) {
        const res = await api(t.http).get('/integrations/slack/oauth/callback').query({ code: 'c', state: bad }).set(bearer(org.admin));
        expectProblem(res, 400, 'slack_oauth_state_invalid');
      }
      const otherAdmin = await t.factory.newUser(org, { role: 'admin' });
      expectProblem(await api(t.http).get('/integrations/slack/oauth/callback').query({ code: 'c', state }).set(bearer(otherAdmin)), 400, 'slack_oauth_state_invalid');
      await api(t.http).get('/integrations/slack/oauth/callback').query({ code: 'c', state }).expect(401);
      expect(fake.callsOf('oauth.v2.access').length).toBe(before);
      const member = await t.factory.newUser(org);
      await api(t.http).get('/integrations/slack/oauth/start').set(bearer(member)).expect(403);
    });
  });

  describe('admin API', () => {
    it('changes the default group and disconnects, audited; another org’s ids are 404', async () => {
      const org = await t.factory.newOrg();
      const { id, token } = await connect(org);
      const group = await newGroup(org.admin);
      const patched = await api(t.http).patch(`/api/v1/admin/slack/installations/${id}`).set(bearer(org.admin)).send({ defaultGroupId: group }).expect(200);
      expect(patched.body.defaultGroupId).toBe(group);
      expect((await auditActions(org, 'slack.settings_updated'))[0].data).toMatchObject({ from: { defaultGroupId: null }, to: { defaultGroupId: group } });
      await api(t.http).patch(`/api/v1/admin/slack/installations/${id}`).set(bearer(org.admin)).send({ defaultGroupId: null }).expect(200);

      const other = await t.factory.newOrg();
      await api(t.http).patch(`/api/v1/admin/slack/installations/${id}`).set(bearer(other.admin)).send({ defaultGroupId: null }).expect(404);
      await api(t.http).delete(`/api/v1/admin/slack/installations/${id}`).set(bearer(other.admin)).expect(404);
      await api(t.http).patch(`/api/v1/admin/slack/installations/${id}`).set(bearer(org.admin)).send({ defaultGroupId: await newGroup(other.admin) }).expect(404);

      const channel = channelId();
      await api(t.http).put('/api/v1/admin/slack/links').set(bearer(org.admin)).send({ installationId: id, channelId: channel, groupId: group }).expect(200);
      await api(t.http).delete(`/api/v1/admin/slack/installations/${id}`).set(bearer(org.admin)).expect(204);
      expect(fake.callsOf('auth.revoke').some((c) => c.token === token)).toBe(true);
      const list = await api(t.http).get('/api/v1/admin/slack/installations').set(bearer(org.admin)).expect(200);
      expect(list.body.items[0].revokedAt).not.toBeNull();
      expect((await api(t.http).get('/api/v1/admin/slack/links').set(bearer(org.admin)).expect(200)).body.items).toEqual([]);
      expect((await auditActions(org, 'slack.disconnected'))[0].data).toMatchObject({ unlinkedChannels: [channel] });
      await api(t.http).delete(`/api/v1/admin/slack/installations/${id}`).set(bearer(org.admin)).expect(404);
    });

    it('links, lists and unlinks channels, audited; members and compliance get 403; another org’s ids 404', async () => {
      const org = await t.factory.newOrg();
      const { id, team } = await connect(org);
      const group = await newGroup(org.admin);
      const channel = channelId();
      const put = await api(t.http).put('/api/v1/admin/slack/links').set(bearer(org.admin)).send({ installationId: id, channelId: channel, groupId: group }).expect(200);
      expect(put.body).toMatchObject({ installationId: id, teamId: team, channelId: channel, channelName: `channel-${channel.toLowerCase()}`, groupId: group });
      const list = await api(t.http).get('/api/v1/admin/slack/links').set(bearer(org.admin)).expect(200);
      expect(list.body.items).toEqual([expect.objectContaining({ channelId: channel, groupId: group })]);
      expect((await auditActions(org, 'slack.channel_linked'))[0]).toMatchObject({ target: { type: 'slack_channel', id: `${team}/${channel}` }, data: { groupId: group, previousGroupId: null } });

      for (const role of ['member', 'compliance'] as const) {
        const user = await t.factory.newUser(org, { role });
        await api(t.http).get('/api/v1/admin/slack/links').set(bearer(user)).expect(403);
        await api(t.http).put('/api/v1/admin/slack/links').set(bearer(user)).send({ installationId: id, channelId: channel, groupId: group }).expect(403);
        await api(t.http).get('/api/v1/admin/slack/installations').set(bearer(user)).expect(403);
      }
      const other = await t.factory.newOrg();
      const otherInstall = await connect(other);
      await api(t.http).put('/api/v1/admin/slack/links').set(bearer(other.admin)).send({ installationId: id, channelId: channel, groupId: await newGroup(other.admin) }).expect(404);
      await api(t.http).put('/api/v1/admin/slack/links').set(bearer(other.admin)).send({ installationId: otherInstall.id, channelId: channel, groupId: group }).expect(404);
      await api(t.http).delete(`/api/v1/admin/slack/links/${id}/${channel}`).set(bearer(other.admin)).expect(404);

      await api(t.http).delete(`/api/v1/admin/slack/links/${id}/${channel}`).set(bearer(org.admin)).expect(204);
      expect((await api(t.http).get('/api/v1/admin/slack/links').set(bearer(org.admin)).expect(200)).body.items).toEqual([]);
      expect((await auditActions(org, 'slack.channel_unlinked'))[0].data).toMatchObject({ channelId: channel, groupId: group });
      await api(t.http).delete(`/api/v1/admin/slack/links/${id}/${channel}`).set(bearer(org.admin)).expect(404);
    });
  });

  describe('the contract the inbound side uses', () => {
    it('resolves a team to its org with the signing secret, an installation with its token, and links for group owners only', async () => {
      const org = await t.factory.newOrg();
      const team = teamId();
      const token = botToken(team);
      const res = await api(t.http).post('/api/v1/admin/slack/installations/token').set(bearer(org.admin)).send({ botToken: token, signingSecret: 'team-signing-secret' }).expect(201);
      const installations = t.app.get(SlackInstallations);
      expect(await installations.forTeam(team)).toEqual({ orgId: org.id, installationId: res.body.id, signingSecret: 'team-signing-secret' });
      expect(await installations.get(org.id, res.body.id)).toMatchObject({ teamId: team, botToken: token, botUserId: 'UBOT00001', botId: 'BBOT00001' });
      expect(await installations.forTeam(teamId())).toBeNull();

      const owner = await t.factory.newUser(org);
      const bystander = await t.factory.newUser(org);
      const group = await newGroup(owner);
      const links = t.app.get(SlackLinks);
      const channel = channelId();
      await expect(links.link(org.id, bystander.id, res.body.id, channel, 'general', group)).rejects.toMatchObject({ status: 403 });
      await links.link(org.id, owner.id, res.body.id, channel, 'general', group);
      expect(await links.groupOf(org.id, res.body.id, channel)).toBe(group);
      expect((await auditActions(org, 'slack.channel_linked'))[0]).toMatchObject({ data: { channelName: 'general', groupId: group } });

      await api(t.http).delete(`/api/v1/admin/slack/installations/${res.body.id}`).set(bearer(org.admin)).expect(204);
      expect(await installations.forTeam(team)).toBeNull();
      expect(await installations.get(org.id, res.body.id)).toBeNull();
      expect(await links.groupOf(org.id, res.body.id, channel)).toBeNull();
    });
  });

  describe('mirroring posts into linked channels', () => {
    async function linkedGroup() {
      const org = await t.factory.newOrg();
      const install = await connect(org);
      const group = await newGroup(org.admin);
      const channel = channelId();
      await api(t.http).put('/api/v1/admin/slack/links').set(bearer(org.admin)).send({ installationId: install.id, channelId: channel, groupId: group }).expect(200);
      return { org, install, group, channel };
    }

    it('posts a new post once, with the bot token, and a reply in the thread of its root', async () => {
      const { org, install, group, channel } = await linkedGroup();
      const root = await post(org.admin, { body: 'Ship it <now> & then', groupId: group });
      await drain();
      const sent = mirrorsOf(root.body.id);
      expect(sent).toHaveLength(1);
      expect(sent[0].token).toBe(install.token);
      expect(sent[0].body).toEqual({
        channel,
        text: `*Admin*: Ship it &lt;now&gt; &amp; then\n<${PUBLIC_URL}/posts/${root.body.id}|View in Chorus>`,
        unfurl_links: 'false',
        unfurl_media: 'false',
      });
      const rows = await t.superuser.query(`SELECT ts, direction, channel_id FROM slack_message WHERE post_id = $1`, [root.body.id]);
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]).toMatchObject({ direction: 'outbound', channel_id: channel });

      const reply = await post(org.admin, { body: 'a reply', parentId: root.body.id });
      await drain();
      expect(mirrorsOf(reply.body.id).map((c) => c.body.thread_ts)).toEqual([rows.rows[0].ts]);

      // A retried or duplicated job never posts twice.
      const queue = t.app.get(JobQueue);
      await queue.enqueue(JobName.SlackMirrorPost, { orgId: org.id, postId: root.body.id, installationId: install.id, channelId: channel });
      await drain();
      await Promise.all([1, 2].map(() => queue.enqueue(JobName.SlackMirrorPost, { orgId: org.id, postId: root.body.id, installationId: install.id, channelId: channel })));
      await drain();
      expect(mirrorsOf(root.body.id)).toHaveLength(1);
    });

    it('waits out a 429 Retry-After and then posts', async () => {
      const { org, group } = await linkedGroup();
      fake.rateLimit('chat.postMessage', 1, 1);
      const p = await post(org.admin, { body: 'rate limited', groupId: group });
      await drain();
      const attempts = fake.callsOf('chat.postMessage').filter((c) => c.body.text === undefined || String(c.body.text).includes(p.body.id));
      expect(attempts).toHaveLength(2);
      expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1000);
      const rows = await t.superuser.query(`SELECT direction FROM slack_message WHERE post_id = $1`, [p.body.id]);
      expect(rows.rows).toEqual([{ direction: 'outbound' }]);
    });

    it('does not echo a Slack post into the channel it came from, but mirrors it to the group’s other channels', async () => {
      const { org, install, group, channel } = await linkedGroup();
      const second = channelId();
      await api(t.http).put('/api/v1/admin/slack/links').set(bearer(org.admin)).send({ installationId: install.id, channelId: second, groupId: group }).expect(200);
      const auth = adminAuth(org);
      const ts = '1700000001.000100';
      // As the inbound side does: the post, then which Slack message it is.
      const fromSlack = await t.app.get(PostService).create(auth, {
        body: 'said in Slack',
        groupId: group,
        source: 'slack',
        sourceRef: `${install.team}:${channel}:${ts}`,
        provenance: { kind: 'slack', team: install.team, channel, ts, user: 'U1' },
      });
      await t.superuser.query(`INSERT INTO slack_message (org_id, team_id, channel_id, ts, post_id, direction) VALUES ($1, $2, $3, $4, $5, 'inbound')`, [
        org.id,
        install.team,
        channel,
        ts,
        fromSlack.id,
      ]);
      await drain();
      expect(mirrorsOf(fromSlack.id).map((c) => c.body.channel)).toEqual([second]);
    });

    it('does not echo a Slack post even before its Slack message row exists: its provenance commits with it; deleted posts are not mirrored', async () => {
      const { org, install, group, channel } = await linkedGroup();
      const auth = adminAuth(org);
      const ts = '1700000002.000100';
      const fromSlack = await t.app.get(PostService).create(auth, {
        body: 'provenance only',
        groupId: group,
        source: 'slack',
        sourceRef: `${install.team}:${channel}:${ts}`,
        provenance: { kind: 'slack', team: install.team, channel, ts, user: 'U1' },
      });
      await drain();
      expect(mirrorsOf(fromSlack.id)).toEqual([]);
      // A job that runs after its post was deleted sends nothing.
      const doomed = await t.app.get(PostService).create(auth, { body: 'gone before the job', groupId: group });
      await drain();
      await t.superuser.query(`DELETE FROM slack_message WHERE post_id = $1`, [doomed.id]);
      await t.app.get(PostService).remove(auth, doomed.id);
      const before = fake.callsOf('chat.postMessage').length;
      await t.app.get(SlackMirrorProcessor).run({ orgId: org.id, postId: doomed.id, installationId: install.id, channelId: channel });
      expect(fake.callsOf('chat.postMessage').length).toBe(before);
    });

    it('sends nothing for posts in unlinked groups or outside groups', async () => {
      const { org } = await linkedGroup();
      const unlinked = await newGroup(org.admin);
      const before = fake.callsOf('chat.postMessage').length;
      await post(org.admin, { body: 'quiet', groupId: unlinked });
      await post(org.admin, { body: 'company wide' });
      await drain();
      expect(fake.callsOf('chat.postMessage').length).toBe(before);
    });
  });
});
