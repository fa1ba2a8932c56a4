import { PageTitle } from '../components/common';

/** One group: its stream, pinned announcements, composer, members, join/leave, email address. */
export function GroupPage() {
  return <PageTitle>Group</PageTitle>;
}
