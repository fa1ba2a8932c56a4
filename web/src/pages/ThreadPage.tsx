import { PageTitle } from '../components/common';

/** A post and its replies, reply composer. */
export function ThreadPage() {
  return <PageTitle>Thread</PageTitle>;
}
