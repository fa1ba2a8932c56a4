import { PageTitle } from '../components/common';

/** Browse and search groups, create one, join and leave. */
export function GroupsPage() {
  return <PageTitle>Groups</PageTitle>;
}
