import EmailReplyParser from 'email-reply-parser';
import { convert } from 'html-to-text';
import type { ParsedMail } from 'mailparser';

/**
 * The words a person wrote: the text part when there is one, else the HTML part converted to text;
 * then quoted earlier messages ("On … wrote:", "> …") and signatures ("-- ") are cut by
 * email-reply-parser. A new post starts with the subject; a reply's subject ("Re: …") is dropped.
 */
export function visibleText(mail: Pick<ParsedMail, 'text' | 'html' | 'subject'>, asReply: boolean): string {
  const text = mail.text?.trim() ? mail.text : typeof mail.html === 'string' ? htmlToPlain(mail.html) : '';
  const visible = new EmailReplyParser().parseReply(normaliseNewlines(text)).trim();
  if (asReply) return visible;
  const subject = (mail.subject ?? '').replace(/^\s*((re|fwd?|aw|sv|wg)\s*:\s*)+/i, '').trim();
  if (!subject) return visible;
  if (!visible || visible.startsWith(subject)) return visible || subject;
  return `${subject}\n\n${visible}`;
}

export function htmlToPlain(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
    ],
  });
}

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
