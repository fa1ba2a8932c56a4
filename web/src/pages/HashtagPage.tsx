import { PageTitle } from '../components/common';

/** Posts with one hashtag. */
export function HashtagPage() {
  return <PageTitle>Hashtag</PageTitle>;
}
