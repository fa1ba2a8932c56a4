import { useParams } from 'react-router-dom';
import { PageTitle } from '../components/common';
import { Feed } from '../components/Feed';
import { hasHashtag } from '../components/feed-rules';

/** Every post I can read carrying a #hashtag. */
export function HashtagPage() {
  const tag = (useParams().tag ?? '').toLowerCase();
  return (
    <>
      <PageTitle>{`#${tag}`}</PageTitle>
      <Feed key={tag} source={`/api/v1/streams/hashtags/${encodeURIComponent(tag)}`} label={`Posts tagged #${tag}`} belongs={(p) => hasHashtag(p.body, tag)} />
    </>
  );
}
