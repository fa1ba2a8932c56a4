import { PageTitle } from '../components/common';

/** Home feed: posts of people and groups I follow, composer on top, live new-posts bar. */
export function HomePage() {
  return <PageTitle>Home</PageTitle>;
}
