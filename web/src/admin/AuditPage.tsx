import { PageTitle } from '../components/common';

/** Audit log viewer with filters. */
export function AuditPage() {
  return <PageTitle>Audit</PageTitle>;
}
