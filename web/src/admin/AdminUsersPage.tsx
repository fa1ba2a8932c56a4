import { PageTitle } from '../components/common';

/** Users: list, search, create, change role, deactivate/reactivate. */
export function AdminUsersPage() {
  return <PageTitle>AdminUsers</PageTitle>;
}
