import { PageTitle } from '../components/common';

/** Exports: request, live progress bar, download. */
export function ExportsPage() {
  return <PageTitle>Exports</PageTitle>;
}
