import { PageTitle } from '../components/common';
import { Feed } from '../components/Feed';
import { useMyGroups } from '../components/live-posts';
import { useMe } from '../session';
import { mentions } from '../components/feed-rules';

/** Home feed: posts of people and groups I follow, composer on top, live new-posts bar. */
export function HomePage() {
  const me = useMe();
  const groups = useMyGroups();
  return (
    <>
      <PageTitle>Home</PageTitle>
      <Feed
        source="/api/v1/streams/home"
        label="Home feed"
        composer={{ groupPicker: true }}
        belongs={(p) => !p.group || p.author.id === me.user.id || groups.some((g) => g.id === p.group!.id) || mentions(p.body, me.user.handle)}
        empty="Nothing here yet: follow people, join groups, or write the first post."
      />
    </>
  );
}
