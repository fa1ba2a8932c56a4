import { useState } from 'react';
import { Link } from 'react-router-dom';
import { get, patch, type Group, type Org } from '../api';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common';
import { allGroups, formatDateTime } from './directory';
import { EmailNotConfigured, type GroupEmailAddressView } from './GroupEmailAddress';
import './admin.css';

interface GroupAddress {
  group: Group;
  address: GroupEmailAddressView | null;
  error: unknown;
}

interface EmailSetup {
  posting: boolean;
  postingDomain: string | null;
  orgMailDomain: string | null;
  companyAddress: string | null;
  inboundWebhook: boolean;
  outbound: boolean;
}

/** Posting by email: how the server is set up for this org, the secret-address setting, and every group's address. */
export function AdminEmailPage() {
  const setup = useAsync(() => get<EmailSetup>('/api/v1/admin/email'), []);
  const { data, error, loading } = useAsync(async (): Promise<GroupAddress[]> => {
    const groups = (await allGroups(false)).slice(0, 200);
    return Promise.all(
      groups.map(async (group) => {
        try {
          return { group, address: await get<GroupEmailAddressView>(`/api/v1/groups/${group.id}/email-address`), error: null };
        } catch (e) {
          return { group, address: null, error: e };
        }
      }),
    );
  }, []);
  const s = setup.data;

  return (
    <>
      <PageTitle>Email</PageTitle>
      <section className="card" aria-labelledby="email-status">
        <h2 id="email-status">Posting by email</h2>
        {setup.loading && !s && <Loading />}
        <ErrorMessage error={setup.error} />
        {s && !s.posting && <EmailNotConfigured />}
        {s?.posting && (
          <>
            <p>Posting by email is on: people post to a group by mailing its address from their work address, and reply to notifications by email.</p>
            <dl className="settings">
              <dt>Mail domain of this organisation</dt>
              <dd>
                <code>{s.orgMailDomain}</code> (its MX records point at the Chorus mail listener or your mail provider)
              </dd>
              <dt>Company stream address</dt>
              <dd>
                <code>{s.companyAddress}</code>
              </dd>
              <dt>Provider webhook</dt>
              <dd>{s.inboundWebhook ? 'Configured' : 'Not configured (mail comes straight to the mail listener)'}</dd>
            </dl>
          </>
        )}
        {s && <p>{s.outbound ? 'Notification emails are sent.' : 'Notification emails are not sent: the server has no outgoing mail server (SMTP_URL).'}</p>}
        <p>
          Notification emails people get (mentions, replies, digest) are their own choice, in <Link to="/settings">Settings</Link>.
        </p>
      </section>
      <SecretAddressSetting />
      {s?.posting && (
        <section className="card" aria-labelledby="email-groups">
          <h2 id="email-groups">Group addresses</h2>
          <p className="muted">
            Make, rotate or remove a group's secret address on the <Link to="/admin/groups">Groups</Link> page.
          </p>
          {loading && !data && <Loading />}
          <ErrorMessage error={error} />
          {data && data.length === 0 && <p className="muted">There are no groups yet: each group gets its own posting address.</p>}
          {data && data.length > 0 && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Group</th>
                    <th scope="col">Posting address</th>
                    <th scope="col">Secret address</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map(({ group, address, error: rowError }) => (
                    <tr key={group.id}>
                      <th scope="row">{group.name}</th>
                      <td>{address ? <code>{address.address}</code> : <ErrorMessage error={rowError} />}</td>
                      <td>{address?.secretAddressCreatedAt ? `Made ${formatDateTime(address.secretAddressCreatedAt)}` : 'None'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}

function SecretAddressSetting() {
  const org = useAsync(() => get<Org>('/api/v1/org'), []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!org.data) return <ErrorMessage error={org.error} />;
  const on = org.data.settings.emailSecretAddresses;
  const toggle = async (value: boolean) => {
    setBusy(true);
    setError(null);
    try {
      org.setData(await patch<Org>('/api/v1/org', { settings: { emailSecretAddresses: value } }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="email-secret">
      <h2 id="email-secret">Secret addresses</h2>
      <label className="inline">
        <input type="checkbox" checked={on} disabled={busy} onChange={(e) => void toggle(e.target.checked)} />
        Post mail sent to a group's secret address without checking the sender
      </label>
      <p className="hint">
        {on
          ? 'On: anyone who knows a secret address can post as the member whose address is in From. Rotate an address that leaks.'
          : 'Off: mail to a secret address still needs a verified sender (a DKIM signature or DMARC pass).'}
      </p>
      <ErrorMessage error={error} />
    </section>
  );
}
