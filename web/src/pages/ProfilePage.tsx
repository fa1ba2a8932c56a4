import { PageTitle } from '../components/common';

/** A user profile (by id, or by handle at /people/:handle): details, follow, their posts. */
export function ProfilePage() {
  return <PageTitle>Profile</PageTitle>;
}
