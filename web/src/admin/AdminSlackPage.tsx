import { PageTitle } from '../components/common';

/** Slack installations and channel links. */
export function AdminSlackPage() {
  return <PageTitle>AdminSlack</PageTitle>;
}
