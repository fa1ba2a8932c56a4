import { PageTitle } from '../components/common';

/** Organisation settings. */
export function AdminOrgPage() {
  return <PageTitle>AdminOrg</PageTitle>;
}
