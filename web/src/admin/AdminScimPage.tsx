import { PageTitle } from '../components/common';

/** SCIM tokens. */
export function AdminScimPage() {
  return <PageTitle>AdminScim</PageTitle>;
}
