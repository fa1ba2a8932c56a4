import { PageTitle } from '../components/common';
import { Feed } from '../components/Feed';
import { useMe } from '../session';
import { mentions } from '../components/feed-rules';

/** Posts that @mention me. */
export function MentionsPage() {
  const me = useMe();
  return (
    <>
      <PageTitle>Mentions</PageTitle>
      <Feed source="/api/v1/streams/mentions" label="Posts mentioning me" belongs={(p) => mentions(p.body, me.user.handle)} empty="Nobody has mentioned you yet." />
    </>
  );
}
