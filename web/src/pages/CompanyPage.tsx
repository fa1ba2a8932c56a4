import { PageTitle } from '../components/common';

/** Company stream with pinned announcements. */
export function CompanyPage() {
  return <PageTitle>Company</PageTitle>;
}
