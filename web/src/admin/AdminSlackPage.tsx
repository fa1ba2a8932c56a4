import { useState, type FormEvent } from 'react';
import { del, get, patch, post, put, type Group } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { ConfirmButton } from './ConfirmButton';
import { allGroups, formatDateTime } from './directory';
import './admin.css';

interface Installation {
  id: string;
  teamId: string;
  teamName: string | null;
  method: 'oauth' | 'token';
  ownSigningSecret: boolean;
  defaultGroupId: string | null;
  installedAt: string;
  revokedAt: string | null;
}
interface ChannelLink {
  installationId: string;
  teamId: string;
  channelId: string;
  channelName: string | null;
  groupId: string;
  createdAt: string;
}

/** Slack: connected workspaces (default group, disconnect), connecting, and channel ↔ group links. */
export function AdminSlackPage() {
  const { data, error, loading, reload } = useAsync(async () => {
    const [installations, links, groups] = await Promise.all([
      get<{ items: Installation[] }>('/api/v1/admin/slack/installations'),
      get<{ items: ChannelLink[] }>('/api/v1/admin/slack/links'),
      allGroups(false),
    ]);
    return { installations: installations.items, links: links.items, groups };
  }, []);

  return (
    <>
      <PageTitle actions={<a className="button primary" href="/integrations/slack/oauth/start">Add to Slack</a>}>Slack</PageTitle>
      <ErrorMessage error={error} />
      {loading && !data && <Loading />}
      {data && (
        <>
          <Installations installations={data.installations} groups={data.groups} onChange={reload} />
          <ConnectWithToken groups={data.groups} onConnected={reload} />
          <ChannelLinks links={data.links} installations={data.installations.filter((i) => !i.revokedAt)} groups={data.groups} onChange={reload} />
        </>
      )}
    </>
  );
}

function GroupSelect({ id, value, groups, onChange, label, none }: { id: string; value: string; groups: Group[]; onChange: (v: string) => void; label?: string; none: string }) {
  return (
    <select id={id} aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{none}</option>
      {groups.map((g) => (
        <option key={g.id} value={g.id}>
          {g.name}
        </option>
      ))}
    </select>
  );
}

function Installations({ installations, groups, onChange }: { installations: Installation[]; groups: Group[]; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const setDefault = async (id: string, groupId: string) => {
    setError(null);
    try {
      await patch(`/api/v1/admin/slack/installations/${id}`, { defaultGroupId: groupId || null });
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" aria-labelledby="slack-workspaces">
      <h2 id="slack-workspaces">Workspaces</h2>
      <ErrorMessage error={error} />
      {installations.length === 0 ? (
        <p className="muted">No Slack workspace is connected. Use "Add to Slack", or connect one with a bot token below.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Workspace</th>
                <th scope="col">Connected</th>
                <th scope="col">Default group of /chorus</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {installations.map((i) => {
                const team = i.teamName ?? i.teamId;
                return (
                  <tr key={i.id}>
                    <th scope="row">
                      {team} <span className="muted">({i.teamId})</span>
                    </th>
                    <td>
                      {formatDateTime(i.installedAt)} <span className="tag">{i.method === 'oauth' ? 'Add to Slack' : 'Bot token'}</span>
                    </td>
                    <td>
                      {i.revokedAt ? (
                        '—'
                      ) : (
                        <GroupSelect id={`default-${i.id}`} label={`Default group for ${team}`} value={i.defaultGroupId ?? ''} groups={groups} none="Company stream" onChange={(g) => void setDefault(i.id, g)} />
                      )}
                    </td>
                    <td>
                      {i.revokedAt ? (
                        <span className="tag">Disconnected {formatDateTime(i.revokedAt)}</span>
                      ) : (
                        <ConfirmButton
                          label={`Disconnect ${team}`}
                          question={`Disconnect ${team}? Its channel links go and the bot token is revoked.`}
                          confirmLabel="Yes, disconnect"
                          onConfirm={async () => {
                            await del(`/api/v1/admin/slack/installations/${i.id}`);
                            onChange();
                          }}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ConnectWithToken({ groups, onConnected }: { groups: Group[]; onConnected: () => void }) {
  const [form, setForm] = useState({ botToken: '', signingSecret: '', defaultGroupId: '' });
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await post('/api/v1/admin/slack/installations/token', {
        botToken: form.botToken.trim(),
        ...(form.signingSecret.trim() ? { signingSecret: form.signingSecret.trim() } : {}),
        ...(form.defaultGroupId ? { defaultGroupId: form.defaultGroupId } : {}),
      });
      setForm({ botToken: '', signingSecret: '', defaultGroupId: '' });
      setDone(true);
      onConnected();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" aria-labelledby="slack-token">
      <h2 id="slack-token">Connect with a bot token</h2>
      <p className="muted">For a single workspace with your own Slack app (see the README, "Connecting Slack").</p>
      <form className="admin-form" onSubmit={(e) => void submit(e)}>
        <div className="admin-grid">
          <div>
            <label htmlFor="slack-bot-token">Bot token</label>
            <input id="slack-bot-token" type="password" autoComplete="off" required placeholder="xoxb-…" value={form.botToken} onChange={(e) => setForm({ ...form, botToken: e.target.value })} />
          </div>
          <div>
            <label htmlFor="slack-signing-secret">Signing secret (optional)</label>
            <input id="slack-signing-secret" type="password" autoComplete="off" value={form.signingSecret} onChange={(e) => setForm({ ...form, signingSecret: e.target.value })} />
          </div>
          <div>
            <label htmlFor="slack-default-group">Default group</label>
            <GroupSelect id="slack-default-group" value={form.defaultGroupId} groups={groups} none="Company stream" onChange={(g) => setForm({ ...form, defaultGroupId: g })} />
          </div>
        </div>
        <ErrorMessage error={error} />
        {done && (
          <p className="notice" role="status">
            Workspace connected.
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary">
            Connect workspace
          </button>
        </div>
      </form>
    </section>
  );
}

function ChannelLinks({ links, installations, groups, onChange }: { links: ChannelLink[]; installations: Installation[]; groups: Group[]; onChange: () => void }) {
  const [form, setForm] = useState({ installationId: '', channelId: '', groupId: '' });
  const [error, setError] = useState<unknown>(null);
  const groupName = (id: string) => groups.find((g) => g.id === id)?.name ?? id;
  const teamName = (l: ChannelLink) => installations.find((i) => i.id === l.installationId)?.teamName ?? l.teamId;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await put('/api/v1/admin/slack/links', { ...form, channelId: form.channelId.trim() });
      setForm({ ...form, channelId: '' });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section className="card" aria-labelledby="slack-links">
      <h2 id="slack-links">Channel links</h2>
      <p className="muted">Messages in a linked channel are posted to its group, and the group's posts are mirrored to the channel.</p>
      {links.length === 0 ? (
        <p className="muted">No channels are linked.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Workspace</th>
                <th scope="col">Group</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {links.map((l) => {
                const channel = l.channelName ? `#${l.channelName}` : l.channelId;
                return (
                  <tr key={`${l.installationId}/${l.channelId}`}>
                    <th scope="row">{channel}</th>
                    <td>{teamName(l)}</td>
                    <td>{groupName(l.groupId)}</td>
                    <td>
                      <ConfirmButton
                        label={`Unlink ${channel}`}
                        question={`Unlink ${channel}?`}
                        confirmLabel="Yes, unlink"
                        onConfirm={async () => {
                          await del(`/api/v1/admin/slack/links/${l.installationId}/${encodeURIComponent(l.channelId)}`);
                          onChange();
                        }}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {installations.length > 0 && (
        <form className="admin-form" onSubmit={(e) => void submit(e)}>
          <h3>Link a channel</h3>
          <div className="admin-grid">
            <div>
              <label htmlFor="link-installation">Workspace</label>
              <select id="link-installation" required value={form.installationId} onChange={(e) => setForm({ ...form, installationId: e.target.value })}>
                <option value="">Choose a workspace</option>
                {installations.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.teamName ?? i.teamId}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="link-channel">Channel ID</label>
              <input id="link-channel" required placeholder="C0123456789" value={form.channelId} onChange={(e) => setForm({ ...form, channelId: e.target.value })} />
            </div>
            <div>
              <label htmlFor="link-group">Group</label>
              <select id="link-group" required value={form.groupId} onChange={(e) => setForm({ ...form, groupId: e.target.value })}>
                <option value="">Choose a group</option>
                {groups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <ErrorMessage error={error} />
          <div className="actions">
            <button type="submit" className="primary">
              Link channel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
