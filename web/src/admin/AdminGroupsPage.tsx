import { PageTitle } from '../components/common';

/** All groups: archive, visibility, members, secret email addresses. */
export function AdminGroupsPage() {
  return <PageTitle>AdminGroups</PageTitle>;
}
