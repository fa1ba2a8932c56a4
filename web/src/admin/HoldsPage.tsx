import { PageTitle } from '../components/common';

/** Legal holds: place, edit, release. */
export function HoldsPage() {
  return <PageTitle>Holds</PageTitle>;
}
