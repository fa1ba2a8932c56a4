import MailComposer from 'nodemailer/lib/mail-composer';
import type { BundleContext, ExportPost } from './bundle.types.js';

/** Stable Message-ID of a post in this org, so replies thread to their root in any mail archive. */
export function postMessageId(orgSlug: string, postId: string): string {
  return `<${postId}@${orgSlug}.chorus.invalid>`;
}

/** The first non-empty line of the text, shortened for a Subject header. */
export function subjectOf(body: string): string {
  const first = body.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  if (first === '') return '(no text)';
  return first.length > 120 ? `${first.slice(0, 119)}…` : first;
}

/**
 * One post as an RFC 5322 message: From the author, Date created, the current text as the body,
 * every earlier version as a text/plain attachment (`version-N.txt`), and the rest of the record
 * (group, deletion, hold, source, reactions, attachment hashes) in X-Chorus-* headers.
 */
export async function buildPostEml(ctx: BundleContext, post: ExportPost): Promise<Buffer> {
  const slug = ctx.org.slug;
  const stream = post.group ? { name: post.group.name, address: `group-${post.group.id}@${slug}.chorus.invalid` } : { name: `${ctx.org.name} company stream`, address: `stream@${slug}.chorus.invalid` };
  const headers: Record<string, string> = {
    'X-Chorus-Export-Id': ctx.exportId,
    'X-Chorus-Post-Id': post.id,
    'X-Chorus-Thread-Id': post.threadId,
    'X-Chorus-Group': post.group ? `${post.group.id} ${post.group.name}` : 'company stream',
    'X-Chorus-Author-Id': post.author.id,
    'X-Chorus-Versions': String(post.versions.length),
    'X-Chorus-On-Hold': post.onHold ? 'true' : 'false',
    'X-Chorus-Source': post.source.kind,
    'X-Chorus-Reactions': String(post.reactions.length),
  };
  if (post.parentId) headers['X-Chorus-Parent-Id'] = post.parentId;
  if (post.editedAt) headers['X-Chorus-Edited-At'] = post.editedAt;
  if (post.deletedAt) headers['X-Chorus-Deleted-At'] = post.deletedAt;
  if (post.deletedBy) headers['X-Chorus-Deleted-By'] = post.deletedBy;
  if (post.pinnedAt) headers['X-Chorus-Pinned-At'] = post.pinnedAt;
  if (post.source.ref) headers['X-Chorus-Source-Ref'] = post.source.ref;
  if (post.hashtags.length > 0) headers['X-Chorus-Hashtags'] = post.hashtags.join(' ');
  if (post.mentions.length > 0) headers['X-Chorus-Mentions'] = post.mentions.join(' ');
  const attachmentHeaders = post.attachments.map((a) => ({ key: 'X-Chorus-Attachment', value: `${a.id}; sha256=${a.sha256}; size=${a.sizeBytes}; name=${a.fileName}` }));

  const references = post.parentId ? [...new Set([post.threadId, post.parentId])].map((id) => postMessageId(slug, id)) : undefined;
  const earlier = post.versions.slice(0, -1);
  const composer = new MailComposer({
    from: { name: post.author.displayName, address: post.author.email },
    to: stream,
    date: new Date(post.createdAt),
    subject: subjectOf(post.body),
    messageId: postMessageId(slug, post.id),
    inReplyTo: post.parentId ? postMessageId(slug, post.parentId) : undefined,
    references,
    headers: [...Object.entries(headers).map(([key, value]) => ({ key, value })), ...attachmentHeaders],
    text: post.body,
    attachments: earlier.map((v) => ({
      filename: `version-${v.version}.txt`,
      content: v.body,
      contentType: 'text/plain; charset=utf-8',
      headers: { 'X-Chorus-Version': String(v.version), 'X-Chorus-Version-Created-At': v.createdAt, 'X-Chorus-Edited-By': v.editedBy },
    })),
  });
  return composer.compile().build();
}
