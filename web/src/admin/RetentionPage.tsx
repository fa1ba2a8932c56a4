import { PageTitle } from '../components/common';

/** Retention policies with preview counts and sweeps. */
export function RetentionPage() {
  return <PageTitle>Retention</PageTitle>;
}
