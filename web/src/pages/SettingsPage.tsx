import { PageTitle } from '../components/common';

/** My profile, password, email preferences, API tokens, sessions. */
export function SettingsPage() {
  return <PageTitle>Settings</PageTitle>;
}
