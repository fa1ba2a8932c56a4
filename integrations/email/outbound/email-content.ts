/**
 * The words of every outbound email, as text and HTML. User text (post bodies, names, subjects of
 * bounced mail) is escaped in HTML and never becomes markup or a link; the only links are ours.
 */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface EmailFooter {
  /** One-click unsubscribe page of this kind of email, or null without SECRETS_KEY. */
  unsubscribeUrl: string | null;
  preferencesUrl: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A header-safe one-line subject (no CR/LF from names or forwarded subjects), at most 200 characters. */
export function subjectLine(value: string): string {
  const line = value.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const paragraphs = (text: string) => escapeHtml(text).replace(/\r?\n/g, '<br>\n');

function page(inner: string, footer: EmailFooter | null): string {
  const foot = footer ? `<hr>\n<p style="color:#666;font-size:12px">${footerHtml(footer)}</p>\n` : '';
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">\n${inner}${foot}</body></html>\n`;
}

function footerText(f: EmailFooter): string {
  return f.unsubscribeUrl
    ? `Unsubscribe from these emails: ${f.unsubscribeUrl}\nAll email preferences: ${f.preferencesUrl}\n`
    : `Change your email preferences: ${f.preferencesUrl}\n`;
}

function footerHtml(f: EmailFooter): string {
  const prefs = `<a href="${escapeHtml(f.preferencesUrl)}">email preferences</a>`;
  return f.unsubscribeUrl ? `<a href="${escapeHtml(f.unsubscribeUrl)}">Unsubscribe from these emails</a> · ${prefs}` : `Change your ${prefs}`;
}

export function notificationEmail(n: {
  kind: 'mention' | 'reply';
  actorName: string;
  groupName: string | null;
  body: string;
  postUrl: string;
  replyable: boolean;
  footer: EmailFooter;
}): RenderedEmail {
  const subject = subjectLine(
    n.kind === 'reply' ? `${n.actorName} replied to your post` : `${n.actorName} mentioned you${n.groupName ? ` in #${n.groupName}` : ''}`,
  );
  const lead = n.kind === 'reply' ? `${n.actorName} replied to your post:` : `${n.actorName} mentioned you${n.groupName ? ` in #${n.groupName}` : ''}:`;
  const answer = n.replyable ? 'Reply to this email to answer in Chorus.' : 'Answer in Chorus:';
  const text = `${lead}\n\n${n.body}\n\n${answer}\nView the conversation: ${n.postUrl}\n\n-- \n${footerText(n.footer)}`;
  const html = page(
    `<p>${escapeHtml(lead)}</p>\n<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:12px">${paragraphs(n.body)}</blockquote>\n` +
      `<p>${n.replyable ? 'Reply to this email to answer in Chorus, or ' : ''}<a href="${escapeHtml(n.postUrl)}">view the conversation</a>.</p>\n`,
    n.footer,
  );
  return { subject, text, html };
}

const DIGEST_EXCERPT = 500;
const excerpt = (body: string) => (body.length > DIGEST_EXCERPT ? `${body.slice(0, DIGEST_EXCERPT - 1)}…` : body);

export function digestEmail(d: {
  day: string;
  posts: Array<{ authorName: string; groupName: string; body: string; replyCount: number; url: string }>;
  footer: EmailFooter;
}): RenderedEmail {
  const subject = subjectLine(`Your Chorus digest for ${d.day}: ${d.posts.length} new post${d.posts.length === 1 ? '' : 's'} in your groups`);
  const replies = (n: number) => (n === 0 ? '' : ` · ${n} repl${n === 1 ? 'y' : 'ies'}`);
  const text =
    `New in your groups in the last day:\n\n` +
    d.posts.map((p) => `#${p.groupName} · ${p.authorName}${replies(p.replyCount)}\n${excerpt(p.body)}\n${p.url}\n`).join('\n') +
    `\n-- \n${footerText(d.footer)}`;
  const html = page(
    `<p>New in your groups in the last day:</p>\n` +
      d.posts
        .map(
          (p) =>
            `<div style="margin:16px 0"><p style="color:#666;margin:0">#${escapeHtml(p.groupName)} · ${escapeHtml(p.authorName)}${escapeHtml(replies(p.replyCount))}</p>\n` +
            `<p style="margin:4px 0">${paragraphs(excerpt(p.body))}</p>\n<a href="${escapeHtml(p.url)}">Open in Chorus</a></div>\n`,
        )
        .join(''),
    d.footer,
  );
  return { subject, text, html };
}

export function bounceEmail(b: { target: string; code: string; reason: string; originalSubject: string | null; originalMessageId: string | null }): RenderedEmail {
  const subject = subjectLine(`Not posted: ${b.originalSubject ?? '(no subject)'}`);
  const original = [
    b.originalSubject !== null ? `Subject: ${subjectLine(b.originalSubject)}` : null,
    b.originalMessageId !== null ? `Message-ID: ${subjectLine(b.originalMessageId)}` : null,
  ].filter((l): l is string => l !== null);
  const lead = `Your message to ${b.target} was not posted.`;
  const text = `${lead}\n\nWhy: ${b.reason}\n(code ${b.code})\n\n${original.length ? `Your message:\n${original.join('\n')}\n` : ''}`;
  const html = page(
    `<p>${escapeHtml(lead)}</p>\n<p><strong>Why:</strong> ${escapeHtml(b.reason)}<br>\n<small>(code ${escapeHtml(b.code)})</small></p>\n` +
      (original.length ? `<p>Your message:<br>\n${original.map(escapeHtml).join('<br>\n')}</p>\n` : ''),
    null,
  );
  return { subject, text, html };
}
