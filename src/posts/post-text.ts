/** What a post's text refers to, parsed at write time into post_mention and post_hashtag. */
const MENTION = /(?<![\p{L}\p{N}_@.])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,39})/gu;
const HASHTAG = /(?<![\p{L}\p{N}_#&])#([\p{L}\p{N}_]{1,64})/gu;

/** Distinct @handles, lower-cased, without trailing dots ("@ada." ends a sentence). */
export function extractMentions(body: string): string[] {
  const handles = [...body.matchAll(MENTION)].map((m) => m[1].replace(/[.-]+$/, '').toLowerCase());
  return [...new Set(handles.filter((h) => h.length > 0))];
}

/** Distinct #tags, lower-cased; digits-only tags (#1) are not tags. */
export function extractHashtags(body: string): string[] {
  const tags = [...body.matchAll(HASHTAG)].map((m) => m[1].toLowerCase()).filter((t) => !/^\p{N}+$/u.test(t));
  return [...new Set(tags)];
}
