import { PageTitle } from '../components/common';

/** My notifications, mark read. */
export function NotificationsPage() {
  return <PageTitle>Notifications</PageTitle>;
}
