import { PageTitle } from '../components/common';

/** Posts that mention me. */
export function MentionsPage() {
  return <PageTitle>Mentions</PageTitle>;
}
