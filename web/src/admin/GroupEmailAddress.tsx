import { useState } from 'react';
import { ApiError, del, get, post } from '../api';
import { ErrorMessage, Loading, useAsync } from '../components/common';
import { ConfirmButton } from './ConfirmButton';
import { formatDateTime } from './directory';

export interface GroupEmailAddressView {
  address: string;
  secretAddressCreatedAt: string | null;
  secretAddressSkipsAuthentication: boolean;
  ambiguous: boolean;
}

export const isEmailNotConfigured = (e: unknown) => e instanceof ApiError && e.code === 'email_not_configured';

export function EmailNotConfigured() {
  return (
    <p className="notice" role="status">
      Posting by email is not set up on this server (no posting domain). Ask whoever runs Chorus to set <code>POSTING_DOMAIN</code>; see the
      README section "Posting by email".
    </p>
  );
}

/** A group's posting address, and its secret address: rotate (shown once) or remove. */
export function GroupEmailAddress({ groupId, groupName }: { groupId: string; groupName: string }) {
  const { data, error, loading, reload } = useAsync(() => get<GroupEmailAddressView>(`/api/v1/groups/${groupId}/email-address`), [groupId]);
  const [secret, setSecret] = useState<string | null>(null);
  const [rotateError, setRotateError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (loading && !data) return <Loading />;
  if (isEmailNotConfigured(error)) return <EmailNotConfigured />;
  if (error) return <ErrorMessage error={error} />;
  if (!data) return null;

  const rotate = async () => {
    setBusy(true);
    setRotateError(null);
    try {
      const r = await post<{ address: string }>(`/api/v1/groups/${groupId}/email-address/secret`);
      setSecret(r.address);
      reload();
    } catch (e) {
      setRotateError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      <p>
        Posting address: <code>{data.address}</code>
        {data.ambiguous && <span className="muted"> (another group has the same name: mail to it is refused; rename one)</span>}
      </p>
      <p>
        Secret address:{' '}
        {data.secretAddressCreatedAt ? `made ${formatDateTime(data.secretAddressCreatedAt)}` : 'none'}
        {data.secretAddressCreatedAt && data.secretAddressSkipsAuthentication && <span className="muted"> (mail to it is posted without sender checks)</span>}
      </p>
      {secret && (
        <div className="notice secret-once" role="status">
          New secret address for {groupName}: <code className="copyable">{secret}</code>
          <strong>Copy it now: it is shown only this once.</strong> The previous secret address no longer works.
        </div>
      )}
      <div className="row">
        {data.secretAddressCreatedAt ? (
          <ConfirmButton
            label={`Rotate secret address of ${groupName}`}
            question="Rotate? The current secret address stops working."
            confirmLabel="Yes, rotate"
            onConfirm={rotate}
          />
        ) : (
          <button type="button" disabled={busy} onClick={() => void rotate()}>
            Make a secret address for {groupName}
          </button>
        )}
        {data.secretAddressCreatedAt && (
          <ConfirmButton
            label={`Remove secret address of ${groupName}`}
            question="Remove the secret address? Mail to it will be refused."
            confirmLabel="Yes, remove"
            onConfirm={async () => {
              await del(`/api/v1/groups/${groupId}/email-address/secret`);
              setSecret(null);
              reload();
            }}
          />
        )}
      </div>
      <ErrorMessage error={rotateError} />
    </div>
  );
}
