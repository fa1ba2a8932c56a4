import { Fragment } from 'react';
import { Link } from 'react-router-dom';

/**
 * Text a user wrote, rendered inert: React escapes every character, nothing is parsed as HTML.
 * Only http(s) URLs become links (rel="noopener noreferrer nofollow", new tab); `javascript:`,
 * `data:` and the like stay plain text. @handles and #hashtags link inside the app.
 */
const TOKEN = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}])|(^|[^\w@])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,39})|(^|[^\w&#])#([\p{L}\p{N}_]{1,100})/gu;

export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export function PostText({ text }: { text: string }) {
  const out: React.ReactNode[] = [];
  let last = 0;
  let key = 0;
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    if (m[1]) {
      const href = safeHref(m[1]);
      out.push(text.slice(last, start));
      out.push(
        href ? (
          <a key={key++} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {m[1]}
          </a>
        ) : (
          m[1]
        ),
      );
      last = start + m[0].length;
    } else if (m[3]) {
      const lead = m[2] ?? '';
      out.push(text.slice(last, start) + lead);
      out.push(
        <Link key={key++} to={`/people/${encodeURIComponent(m[3])}`} className="mention">
          @{m[3]}
        </Link>,
      );
      last = start + m[0].length;
    } else if (m[5]) {
      const lead = m[4] ?? '';
      out.push(text.slice(last, start) + lead);
      out.push(
        <Link key={key++} to={`/hashtags/${encodeURIComponent(m[5].toLowerCase())}`} className="hashtag">
          #{m[5]}
        </Link>,
      );
      last = start + m[0].length;
    }
  }
  out.push(text.slice(last));
  return (
    <div className="post-text">
      {out.map((part, i) => (
        <Fragment key={`t${i}`}>{part}</Fragment>
      ))}
    </div>
  );
}
