import { PageTitle } from '../components/common';

/** Email posting: org settings, group addresses. */
export function AdminEmailPage() {
  return <PageTitle>AdminEmail</PageTitle>;
}
