/** Whether a post's text @mentions this handle (same token rules as PostText). */
export function mentions(body: string, handle: string): boolean {
  const escaped = handle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w@])@${escaped}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_])`, 'i').test(body);
}

/** Whether a post's text carries this #hashtag. */
export function hasHashtag(body: string, tag: string): boolean {
  for (const m of body.matchAll(/(?:^|[^\w&#])#([\p{L}\p{N}_]{1,100})/gu)) if (m[1].toLowerCase() === tag.toLowerCase()) return true;
  return false;
}
