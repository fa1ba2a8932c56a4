import { randomBytes, randomUUID } from 'node:crypto';
import { AppConfig } from '../../src/config/app-config.js';
import type { InProcessJobQueue } from '../../src/jobs/in-process-job-queue.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { SecretBox } from '../../src/sso/oidc/secret-box.js';
import { UNKNOWN_USER_MESSAGE, DEACTIVATED_USER_MESSAGE } from '../../integrations/slack/inbound/slack-authors.service.js';
import { bearer, type TestOrg, type TestUser } from '../factories/factory.js';
import { expectProblem } from '../helpers/assertions.js';
import { bridgedPosts, type BridgedPost } from '../helpers/bridged-posts.js';
import { SlackInboxProcessor } from '../../integrations/slack/inbound/slack-inbox.processor.js';
import { FakeSlackApi, formBody, slackSignature } from '../helpers/slack.js';
import { api, startTestApp, type TestApp } from '../helpers/test-app.js';

const SIGNING_SECRET = 'test-signing-secret-123';
const SECRETS_KEY = randomBytes(32).toString('hex');
const slackId = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;

interface Workspace {
  org: TestOrg;
  member: TestUser;
  memberSlack: string;
  adminSlack: string;
  teamId: string;
  installationId: string;
  groupId: string;
  groupName: string;
  channel: string;
}

describe('Slack inbound: events, commands and interactivity become posts', () => {
  let t: TestApp;
  const fake = new FakeSlackApi();

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.url, SECRETS_KEY, REDIS_URL: '' });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const drain = () => (t.app.get(JobQueue) as InProcessJobQueue).drain();

  const signed = (path: string, raw: string, contentType: string, headers: Record<string, string> = slackSignature(SIGNING_SECRET, raw)) =>
    api(t.http).post(`/integrations/slack/${path}`).set('Content-Type', contentType).set(headers).send(raw);
  const event = (body: Record<string, unknown>, headers?: Record<string, string>) => signed('events', JSON.stringify(body), 'application/json', headers);
  const command = (fields: Record<string, string>) => signed('commands', formBody(fields), 'application/x-www-form-urlencoded');
  const interaction = (payload: Record<string, unknown>) => signed('interactivity', formBody({ payload: JSON.stringify(payload) }), 'application/x-www-form-urlencoded');

  const messageEvent = (w: Workspace, e: Record<string, unknown>, eventId = `Ev${slackId('')}`) => ({
    type: 'event_callback',
    team_id: w.teamId,
    api_app_id: 'ATEST0001',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel: w.channel, channel_type: 'channel', ...e },
  });

  let tsCounter = 1_800_000_000;
  const nextTs = () => `${tsCounter++}.000100`;

  const createGroup = async (owner: TestUser, name: string) =>
    (await api(t.http).post('/api/v1/groups').set(bearer(owner)).send({ name, visibility: 'public' }).expect(201)).body.id as string;

  /** An org with a connected workspace (row sealed like the connections side does), a member and a linked channel. */
  async function workspace(opts: { defaultGroup?: boolean; link?: boolean } = {}): Promise<Workspace> {
    const org = await t.factory.newOrg();
    const member = await t.factory.newUser(org);
    const groupName = `Eng-${randomUUID().slice(0, 6)}`;
    const groupId = await createGroup(org.admin, groupName);
    await api(t.http).post(`/api/v1/groups/${groupId}/join`).set(bearer(member)).expect(200);
    const teamId = slackId('T');
    const box = new SecretBox(t.app.get(AppConfig));
    const installation = await t.superuser.query(
      `INSERT INTO slack_installation (org_id, team_id, team_name, bot_user_id, bot_id, bot_token_sealed, method, default_group_id)
       VALUES ($1, $2, 'Acme Slack', $3, $4, $5, 'token', $6) RETURNING id`,
      [org.id, teamId, fake.bot.userId, fake.bot.botId, box.seal(`xoxb-${teamId}`, org.id), opts.defaultGroup ? groupId : null],
    );
    const installationId = installation.rows[0].id as string;
    const channel = slackId('C');
    if (opts.link !== false) {
      await t.superuser.query(
        `INSERT INTO slack_channel_link (org_id, installation_id, channel_id, channel_name, group_id) VALUES ($1, $2, $3, 'eng', $4)`,
        [org.id, installationId, channel, groupId],
      );
    }
    const memberSlack = slackId('U');
    const adminSlack = slackId('U');
    fake.users.set(memberSlack, { id: memberSlack, email: member.email.toUpperCase() });
    fake.users.set(adminSlack, { id: adminSlack, email: org.admin.email });
    return { org, member, memberSlack, adminSlack, teamId, installationId, groupId, groupName, channel };
  }

  const slackPosts = (w: Workspace): Promise<BridgedPost[]> => bridgedPosts(t.superuser, w.org.id, 'slack');
  const inboxRows = async (teamId: string) =>
    (await t.superuser.query(`SELECT kind, status, error, attempts FROM slack_inbox WHERE team_id = $1 ORDER BY received_at`, [teamId])).rows;
  const callsFor = (method: string, token: string) => fake.callsOf(method).filter((c) => c.token === token);
  const tokenOf = (w: Workspace) => `xoxb-${w.teamId}`;

  it('answers url_verification with the challenge', async () => {
    const res = await event({ type: 'url_verification', token: 'legacy', challenge: 'challenge-abc' }).expect(200);
    expect(res.body).toEqual({ challenge: 'challenge-abc' });
  });

  it('rejects bad, stale and missing signatures with 401 and stores nothing', async () => {
    const w = await workspace();
    const raw = JSON.stringify(messageEvent(w, { user: w.memberSlack, text: 'hello', ts: nextTs() }));
    const bad = await signed('events', raw, 'application/json', slackSignature('not-the-secret-123', raw));
    expectProblem(bad, 401, 'slack_signature_invalid');
    const stale = await signed('events', raw, 'application/json', slackSignature(SIGNING_SECRET, raw, Math.floor(Date.now() / 1000) - 6 * 60));
    expectProblem(stale, 401, 'slack_signature_invalid');
    const missing = await signed('events', raw, 'application/json', {});
    expectProblem(missing, 401, 'slack_signature_invalid');
    const tampered = await signed('events', raw.replace('hello', 'HELLO'), 'application/json', slackSignature(SIGNING_SECRET, raw));
    expectProblem(tampered, 401, 'slack_signature_invalid');
    const cmd = formBody({ team_id: w.teamId, user_id: w.memberSlack, channel_id: w.channel, command: '/chorus', text: 'hi' });
    expectProblem(await signed('commands', cmd, 'application/x-www-form-urlencoded', slackSignature('wrong-secret-xyz', cmd)), 401, 'slack_signature_invalid');
    await drain();
    expect(await inboxRows(w.teamId)).toEqual([]);
    expect(await slackPosts(w)).toEqual([]);
  });

  it('turns a message in a linked channel into one post in the group, by the mapped user, with provenance, even when delivered three times', async () => {
    const w = await workspace();
    const ts = nextTs();
    const body = messageEvent(w, { user: w.memberSlack, text: 'Shipped &lt;v2&gt; see <https://x.test/notes|notes>', ts });
    await event(body).expect(200, '');
    // Stored (committed) before the 200 went out.
    expect(await inboxRows(w.teamId)).toEqual([expect.objectContaining({ kind: 'event' })]);
    await event(body, { ...slackSignature(SIGNING_SECRET, JSON.stringify(body)), 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' }).expect(200, '');
    await drain();
    await event(body, { ...slackSignature(SIGNING_SECRET, JSON.stringify(body)), 'X-Slack-Retry-Num': '2', 'X-Slack-Retry-Reason': 'http_timeout' }).expect(200, '');
    await drain();

    const posts = await slackPosts(w);
    expect(posts).toEqual([
      expect.objectContaining({
        authorId: w.member.id,
        groupId: w.groupId,
        parentId: null,
        body: 'Shipped <v2> see notes (https://x.test/notes)',
        sourceRef: `${w.teamId}:${w.channel}:${ts}`,
        provenance: { kind: 'slack', team: w.teamId, channel: w.channel, ts, user: w.memberSlack },
      }),
    ]);
    expect(await inboxRows(w.teamId)).toEqual([{ kind: 'event', status: 'done', error: null, attempts: 1 }]);
    // Seen through the API as the group's members see it.
    const seen = await api(t.http).get(`/api/v1/posts/${posts[0].id}`).set(bearer(w.org.admin)).expect(200);
    expect(seen.body).toMatchObject({ source: 'slack', author: { id: w.member.id }, group: { id: w.groupId } });
    // users.info once: the email is cached.
    expect(callsFor('users.info', tokenOf(w)).map((c) => c.body)).toEqual([{ user: w.memberSlack, team_id: w.teamId }]);
  });

  it('follows threads, edits and deletes: replies, new versions, soft deletes', async () => {
    const w = await workspace();
    const rootTs = nextTs();
    await event(messageEvent(w, { user: w.memberSlack, text: 'root', ts: rootTs })).expect(200);
    await drain();
    const replyTs = nextTs();
    await event(messageEvent(w, { user: w.adminSlack, text: 'a reply', ts: replyTs, thread_ts: rootTs })).expect(200);
    await drain();
    const [root, reply] = await slackPosts(w);
    expect(reply).toMatchObject({ parentId: root.id, authorId: w.org.admin.id, body: 'a reply' });

    await event(
      messageEvent(w, {
        subtype: 'message_changed',
        hidden: true,
        ts: nextTs(),
        message: { type: 'message', user: w.memberSlack, text: 'root, edited', ts: rootTs, edited: { user: w.memberSlack, ts: nextTs() } },
        previous_message: { type: 'message', user: w.memberSlack, text: 'root', ts: rootTs },
      }),
    ).expect(200);
    await drain();
    const versions = await api(t.http).get(`/api/v1/posts/${root.id}/versions`).set(bearer(w.member)).expect(200);
    expect((versions.body.items ?? versions.body).map((v: { body: string }) => v.body).sort()).toEqual(['root', 'root, edited']);

    await event(
      messageEvent(w, {
        subtype: 'message_deleted',
        hidden: true,
        ts: nextTs(),
        deleted_ts: replyTs,
        previous_message: { type: 'message', user: w.adminSlack, text: 'a reply', ts: replyTs, thread_ts: rootTs },
      }),
    ).expect(200);
    await drain();
    const after = await slackPosts(w);
    expect(after.find((p) => p.id === root.id)).toMatchObject({ body: 'root, edited', version: 2, deletedAt: null });
    expect(after.find((p) => p.id === reply.id)!.deletedAt).toBeInstanceOf(Date);
    await api(t.http).get(`/api/v1/posts/${reply.id}`).set(bearer(w.member)).expect(404);
  });

  it('tells unknown and deactivated Slack users ephemerally and posts nothing', async () => {
    const w = await workspace();
    const stranger = slackId('U');
    fake.users.set(stranger, { id: stranger, email: 'nobody@elsewhere.test' });
    await event(messageEvent(w, { user: stranger, text: 'hi from a stranger', ts: nextTs() })).expect(200);
    await api(t.http).patch(`/api/v1/users/${w.member.id}`).set(bearer(w.org.admin)).send({ status: 'deactivated' }).expect(200);
    await event(messageEvent(w, { user: w.memberSlack, text: 'hi from a leaver', ts: nextTs() })).expect(200);
    await drain();
    expect(await slackPosts(w)).toEqual([]);
    expect(callsFor('chat.postEphemeral', tokenOf(w)).map((c) => c.body)).toEqual([
      { channel: w.channel, user: stranger, text: UNKNOWN_USER_MESSAGE, team_id: w.teamId },
      { channel: w.channel, user: w.memberSlack, text: DEACTIVATED_USER_MESSAGE, team_id: w.teamId },
    ]);
    expect((await inboxRows(w.teamId)).map((r) => [r.status, r.error])).toEqual([
      ['failed', `slack_user_unknown: ${UNKNOWN_USER_MESSAGE}`],
      ['failed', `slack_user_deactivated: ${DEACTIVATED_USER_MESSAGE}`],
    ]);
  });

  it('ignores bot messages (our own mirrored posts included) and unlinked channels', async () => {
    const w = await workspace();
    await event(messageEvent(w, { subtype: 'bot_message', bot_id: 'BOTHER001', text: 'a bot', ts: nextTs() })).expect(200);
    await event(messageEvent(w, { user: fake.bot.userId, bot_id: fake.bot.botId, text: 'mirrored from Chorus', ts: nextTs() })).expect(200);
    await event(messageEvent(w, { user: w.memberSlack, text: 'elsewhere', ts: nextTs(), channel: slackId('C') })).expect(200);
    await drain();
    expect(await slackPosts(w)).toEqual([]);
    expect((await inboxRows(w.teamId)).map((r) => r.status)).toEqual(['ignored', 'ignored', 'ignored']);
    expect(callsFor('chat.postEphemeral', tokenOf(w))).toEqual([]);
    expect(callsFor('users.info', tokenOf(w))).toEqual([]);
  });

  it('answers deliveries for an unknown workspace without storing them', async () => {
    const team = slackId('T');
    await event({ type: 'event_callback', team_id: team, event_id: 'Ev1', event: { type: 'message', channel: 'C1', user: 'U1', text: 'x', ts: '1.1' } }).expect(200, '');
    const res = await command({ team_id: team, user_id: 'U1', channel_id: 'C1', command: '/chorus', text: 'hi' }).expect(200);
    expect(res.body).toEqual({ response_type: 'ephemeral', text: 'This Slack workspace is not connected to Chorus. Ask a Chorus admin to connect it.' });
    expect(await inboxRows(team)).toEqual([]);
  });

  it('/chorus posts to the default group, to a named group, or to the company stream', async () => {
    const w = await workspace({ defaultGroup: true, link: false });
    const other = await createGroup(w.org.admin, `Design Team ${randomUUID().slice(0, 4)}`);
    const otherName = (await api(t.http).get(`/api/v1/groups/${other}`).set(bearer(w.org.admin)).expect(200)).body.name as string;
    const base = { team_id: w.teamId, team_domain: 'acme', channel_id: w.channel, channel_name: 'random', user_id: w.adminSlack, command: '/chorus', response_url: `${fake.url}hooks/x` };
    await command({ ...base, text: 'to the default group', trigger_id: 'trig-1' }).expect(200, '');
    await drain();
    await command({ ...base, text: `#${otherName.toLowerCase().replace(/ /g, '-')} to design`, trigger_id: 'trig-2' }).expect(200, '');
    await drain();
    await command({ ...base, text: '#no-such-group hello', trigger_id: 'trig-3' }).expect(200, '');
    await drain();
    const w2 = await workspace({ link: false });
    await command({ ...base, team_id: w2.teamId, user_id: w2.memberSlack, text: 'to everyone', trigger_id: 'trig-4' }).expect(200, '');
    await drain();

    expect((await slackPosts(w)).map((p) => [p.groupId, p.body, p.authorId])).toEqual([
      [w.groupId, 'to the default group', w.org.admin.id],
      [other, 'to design', w.org.admin.id],
    ]);
    expect((await slackPosts(w2)).map((p) => [p.groupId, p.body, p.authorId])).toEqual([[null, 'to everyone', w2.member.id]]);
    expect(callsFor('chat.postEphemeral', tokenOf(w)).map((c) => c.body.text)).toEqual([
      `Posted to Chorus in #${w.groupName}.`,
      `Posted to Chorus in #${otherName}.`,
      'There is no Chorus group #no-such-group that you can see.',
    ]);
    expect(callsFor('chat.postEphemeral', tokenOf(w2)).map((c) => c.body)).toEqual([
      { channel: w.channel, user: w2.memberSlack, text: 'Posted to the Chorus company stream.', team_id: w2.teamId },
    ]);
  });

  it('/chorus without a group goes nowhere the org does not allow: a member is told, nothing is posted', async () => {
    const w = await workspace({ link: false });
    await api(t.http).patch('/api/v1/org').set(bearer(w.org.admin)).send({ settings: { companyPosting: 'admins' } }).expect(200);
    await command({ team_id: w.teamId, channel_id: w.channel, user_id: w.memberSlack, command: '/chorus', text: 'to everyone', trigger_id: 'trig-c1' }).expect(200);
    await drain();
    expect(await slackPosts(w)).toEqual([]);
    expect(callsFor('chat.postEphemeral', tokenOf(w)).map((c) => c.body)).toEqual([
      { channel: w.channel, user: w.memberSlack, text: 'Only admins can post to the company stream in this organisation', team_id: w.teamId },
    ]);
  });

  it('retries a delivery after a transient Slack error (429) and still posts once', async () => {
    const w = await workspace();
    fake.rateLimit('users.info', 1, 1);
    const ts = nextTs();
    await event(messageEvent(w, { user: w.memberSlack, text: 'after a 429', ts })).expect(200);
    await drain();
    expect((await slackPosts(w)).map((p) => p.body)).toEqual(['after a 429']);
    expect(await inboxRows(w.teamId)).toEqual([{ kind: 'event', status: 'done', error: null, attempts: 2 }]);
    expect(callsFor('users.info', tokenOf(w))).toHaveLength(2);
  });

  it('settles a refusal Slack cannot deliver (a DM the bot is not in) without retrying', async () => {
    const w = await workspace({ link: false });
    const dm = slackId('D');
    fake.on('chat.postEphemeral', (call) => (call.body.channel === dm ? { ok: false, error: 'channel_not_found' } : { ok: true, message_ts: '1.2' }));
    const stranger = slackId('U');
    fake.users.set(stranger, { id: stranger, email: null });
    await command({ team_id: w.teamId, channel_id: dm, user_id: stranger, command: '/chorus', text: 'hello', trigger_id: 'trig-dm' }).expect(200);
    await drain();
    expect(await slackPosts(w)).toEqual([]);
    expect(await inboxRows(w.teamId)).toEqual([{ kind: 'command', status: 'failed', error: `slack_user_unknown: ${UNKNOWN_USER_MESSAGE}`, attempts: 1 }]);
  });

  it('/chorus link #group links the channel for an admin and refuses a member who does not own the group', async () => {
    const w = await workspace({ link: false });
    const channel = slackId('C');
    const base = { team_id: w.teamId, channel_id: channel, channel_name: 'announcements', command: '/chorus' };
    await command({ ...base, user_id: w.memberSlack, text: `link #${w.groupName}`, trigger_id: 'trig-l1' }).expect(200);
    await drain();
    const links = () => t.superuser.query(`SELECT channel_id, channel_name, group_id FROM slack_channel_link WHERE org_id = $1`, [w.org.id]);
    expect((await links()).rows).toEqual([]);
    const refused = callsFor('chat.postEphemeral', tokenOf(w)).map((c) => c.body);
    expect(refused).toEqual([{ channel, user: w.memberSlack, text: expect.stringMatching(/admins.*owners/i), team_id: w.teamId }]);

    await command({ ...base, user_id: w.adminSlack, text: `link #${w.groupName.toUpperCase()}`, trigger_id: 'trig-l2' }).expect(200);
    await drain();
    expect((await links()).rows).toEqual([{ channel_id: channel, channel_name: 'announcements', group_id: w.groupId }]);
    expect(callsFor('chat.postEphemeral', tokenOf(w))[1].body.text).toBe(`Linked this channel to the Chorus group #${w.groupName}: new messages here are posted there.`);

    // The channel now feeds the group.
    await event(messageEvent(w, { channel, user: w.memberSlack, text: 'first in the new link', ts: nextTs() })).expect(200);
    await drain();
    expect((await slackPosts(w)).map((p) => [p.groupId, p.body])).toEqual([[w.groupId, 'first in the new link']]);
  });

  it('"Share to Chorus" opens the group picker and the submission posts the shared message', async () => {
    const w = await workspace({ link: false });
    const messageTs = nextTs();
    const triggerId = `trig-${randomUUID()}`;
    await interaction({
      type: 'message_action',
      callback_id: 'share_to_chorus',
      trigger_id: triggerId,
      team: { id: w.teamId, domain: 'acme' },
      channel: { id: w.channel, name: 'random' },
      user: { id: w.memberSlack, name: 'member' },
      message: { type: 'message', user: w.adminSlack, text: 'worth sharing', ts: messageTs },
      message_ts: messageTs,
      response_url: `${fake.url}hooks/y`,
    }).expect(200, '');
    await drain();
    const [open] = callsFor('views.open', tokenOf(w));
    const view = typeof open.body.view === 'string' ? JSON.parse(open.body.view) : open.body.view;
    expect(open.body.trigger_id).toBe(triggerId);
    expect(view).toEqual({
      type: 'modal',
      callback_id: 'chorus_share',
      private_metadata: expect.any(String),
      title: { type: 'plain_text', text: 'Share to Chorus' },
      submit: { type: 'plain_text', text: 'Share' },
      close: { type: 'plain_text', text: 'Cancel' },
      blocks: [
        {
          type: 'input',
          block_id: 'group',
          label: { type: 'plain_text', text: 'Post to' },
          element: {
            type: 'static_select',
            action_id: 'group',
            options: [
              { text: { type: 'plain_text', text: 'Company stream' }, value: 'company' },
              { text: { type: 'plain_text', text: w.groupName }, value: w.groupId },
            ],
          },
        },
      ],
    });

    await interaction({
      type: 'view_submission',
      team: { id: w.teamId, domain: 'acme' },
      user: { id: w.memberSlack, name: 'member' },
      trigger_id: `trig-${randomUUID()}`,
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: 'chorus_share',
        private_metadata: view.private_metadata,
        state: { values: { group: { group: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: w.groupName }, value: w.groupId } } } } },
      },
    }).expect(200, '');
    await drain();
    expect(await slackPosts(w)).toEqual([
      expect.objectContaining({
        groupId: w.groupId,
        authorId: w.member.id,
        body: 'worth sharing',
        provenance: { kind: 'slack', team: w.teamId, channel: w.channel, ts: messageTs, user: w.memberSlack, messageUser: w.adminSlack },
      }),
    ]);
    expect(callsFor('chat.postEphemeral', tokenOf(w)).map((c) => c.body)).toEqual([
      { channel: w.channel, user: w.memberSlack, text: `Shared to Chorus in #${w.groupName}.`, team_id: w.teamId },
    ]);
  });

  it('app_uninstalled disconnects the workspace (links removed, audited); later events are not processed', async () => {
    const w = await workspace();
    await event({ type: 'event_callback', team_id: w.teamId, api_app_id: 'ATEST0001', event_id: `Ev${slackId('')}`, event_time: Math.floor(Date.now() / 1000), event: { type: 'app_uninstalled' } }).expect(200);
    await drain();
    const row = (await t.superuser.query(`SELECT revoked_at FROM slack_installation WHERE id = $1`, [w.installationId])).rows[0];
    expect(row.revoked_at).not.toBeNull();
    expect((await t.superuser.query(`SELECT count(*)::int AS n FROM slack_channel_link WHERE installation_id = $1`, [w.installationId])).rows[0].n).toBe(0);
    const audit = (await t.superuser.query(`SELECT data FROM audit_event WHERE org_id = $1 AND action = 'slack.disconnected'`, [w.org.id])).rows;
    expect(audit).toEqual([{ data: expect.objectContaining({ reason: 'app_uninstalled', teamId: w.teamId }) }]);
    await event(messageEvent(w, { user: w.memberSlack, text: 'after uninstall', ts: nextTs() })).expect(200);
    await drain();
    expect(await slackPosts(w)).toEqual([]);
  });

  it('a stored delivery whose job was lost is queued again by the requeue job and posts once', async () => {
    const w = await workspace();
    const body = messageEvent(w, { user: w.memberSlack, text: 'stored, then the process died', ts: nextTs() });
    // What the controller commits before its 200, with no job behind it.
    await t.superuser.query(
      `INSERT INTO slack_inbox (org_id, installation_id, team_id, delivery_key, kind, payload, received_at)
       VALUES ($1, $2, $3, $4, 'event', $5, now() - interval '10 minutes')`,
      [w.org.id, w.installationId, w.teamId, `event:${String(body.event_id)}`, JSON.stringify(body)],
    );
    expect(await t.app.get(SlackInboxProcessor).requeueStale()).toBeGreaterThanOrEqual(1);
    await drain();
    expect((await slackPosts(w)).map((p) => p.body)).toEqual(['stored, then the process died']);
    expect(await inboxRows(w.teamId)).toEqual([expect.objectContaining({ status: 'done' })]);
    // Settled rows are never queued again.
    await t.app.get(SlackInboxProcessor).requeueStale();
    await drain();
    expect(await slackPosts(w)).toHaveLength(1);
  });
});
