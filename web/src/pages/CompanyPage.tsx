import { PageTitle } from '../components/common';
import { Feed } from '../components/Feed';
import { useMe } from '../session';
import { useOrgSettings } from '../components/org-settings';

/** The company-wide stream, with announcements pinned on top. */
export function CompanyPage() {
  const me = useMe();
  const settings = useOrgSettings();
  const canPost = settings.companyPosting === 'everyone' || me.user.role === 'admin';
  return (
    <>
      <PageTitle>Company</PageTitle>
      <Feed source="/api/v1/streams/company" label="Company stream" composer={canPost ? {} : undefined} belongs={(p) => !p.group} />
    </>
  );
}
