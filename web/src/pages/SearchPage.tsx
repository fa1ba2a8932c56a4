import { PageTitle } from '../components/common';

/** Search posts with filters (group, author, dates). */
export function SearchPage() {
  return <PageTitle>Search</PageTitle>;
}
