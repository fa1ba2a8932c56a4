import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { ApiError, get, type Group } from '../api';
import { ErrorMessage, Loading, PageTitle } from '../components/common';
import { Feed } from '../components/Feed';
import { MembershipButton } from './GroupsPage';

/** A group: description, members, join/leave, its posting address, a composer for members, its stream. */
export function GroupPage() {
  const id = useParams().id ?? '';
  const [group, setGroup] = useState<Group | null>(null);
  const [address, setAddress] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setGroup(null);
    setAddress(null);
    setError(null);
    get<Group>(`/api/v1/groups/${id}`).then(
      (g) => live && setGroup(g),
      (e: unknown) => live && setError(e),
    );
    // The posting address exists only where email is configured (503 email_not_configured otherwise).
    get<{ address: string }>(`/api/v1/groups/${id}/email-address`).then(
      (r) => live && setAddress(r.address),
      (e: unknown) => {
        if (!(e instanceof ApiError)) throw e;
      },
    );
    return () => {
      live = false;
    };
  }, [id]);

  if (error) {
    return (
      <>
        <PageTitle>Group</PageTitle>
        <ErrorMessage error={error} />
      </>
    );
  }
  if (!group) return <Loading />;
  const member = group.myRole !== null;
  return (
    <>
      <PageTitle actions={!group.archivedAt && <MembershipButton group={group} onChange={setGroup} />}>{group.name}</PageTitle>
      <div className="card">
        {group.description && <p>{group.description}</p>}
        <p className="row muted">
          <span>{group.memberCount === 1 ? '1 member' : `${group.memberCount} members`}</span>
          <span className="tag">{group.visibility}</span>
          {group.myRole === 'owner' && <span className="tag">you own this group</span>}
          {group.archivedAt && <span className="tag">archived</span>}
        </p>
        {address && member && (
          <p>
            Post by email: <a className="email-address" href={`mailto:${address}`}>{address}</a>
          </p>
        )}
      </div>
      <Feed
        key={group.id}
        source={`/api/v1/streams/groups/${group.id}`}
        label={`Posts in ${group.name}`}
        composer={member && !group.archivedAt ? { groupId: group.id, label: `Write a post in ${group.name}` } : undefined}
        belongs={(p) => p.group?.id === group.id}
      />
    </>
  );
}
