import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { get, type Page, type UserSummary } from '../api';

export interface Suggestion {
  id: string;
  /** What replaces the typed token, e.g. `@ada` or `#launch`. */
  insert: string;
  label: string;
  detail?: string;
}

/** The @mention or #hashtag being typed just before the caret, if any. */
export function tokenAtCaret(text: string, caret: number): { kind: '@' | '#'; query: string; start: number } | null {
  const before = text.slice(0, caret);
  const mention = /(^|[^\w@])@([A-Za-z0-9_.-]{0,40})$/.exec(before);
  if (mention) return { kind: '@', query: mention[2], start: caret - mention[2].length - 1 };
  const tag = /(^|[^\w&#])#([\p{L}\p{N}_]{0,100})$/u.exec(before);
  if (tag) return { kind: '#', query: tag[2], start: caret - tag[2].length - 1 };
  return null;
}

const TAG = /(?:^|[^\w&#])#([\p{L}\p{N}_]{1,100})/gu;

/** Hashtags used in these texts, most frequent first. */
export function hashtagsIn(texts: string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const m of t.matchAll(TAG)) counts.set(m[1].toLowerCase(), (counts.get(m[1].toLowerCase()) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([tag]) => tag);
}

/**
 * State of the ARIA combobox pattern on a text field: the suggestion list for the token at the
 * caret, the active option, and the keys (up, down, enter/tab to pick, escape to close).
 */
export function useTokenSuggestions(opts: { listId: string; hashtags: () => string[]; onPick: (s: Suggestion, start: number, end: number) => void }) {
  const [token, setToken] = useState<{ kind: '@' | '#'; query: string; start: number; end: number } | null>(null);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const request = useRef(0);

  useEffect(() => {
    const run = ++request.current;
    if (!token) {
      setItems([]);
      return;
    }
    if (token.kind === '#') {
      const q = token.query.toLowerCase();
      setItems(
        opts
          .hashtags()
          .filter((t) => t.startsWith(q) && t !== q)
          .slice(0, 8)
          .map((t) => ({ id: t, insert: `#${t}`, label: `#${t}` })),
      );
      setActive(0);
      return;
    }
    if (token.query.length === 0) {
      setItems([]);
      return;
    }
    const timer = window.setTimeout(() => {
      void get<Page<UserSummary>>(`/api/v1/search/people?q=${encodeURIComponent(token.query)}&limit=8`).then(
        (r) => {
          if (run !== request.current) return;
          setItems(r.items.map((u) => ({ id: u.id, insert: `@${u.handle}`, label: u.displayName, detail: `@${u.handle}` })));
          setActive(0);
        },
        () => run === request.current && setItems([]),
      );
    }, 150);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token?.kind, token?.query, token?.start]);

  const open = !dismissed && token !== null && items.length > 0;

  return {
    open,
    items,
    active,
    activeId: open ? `${opts.listId}-${active}` : undefined,
    /** Call with the field's text and caret after every change or caret move. */
    update(text: string, caret: number) {
      const t = tokenAtCaret(text, caret);
      setDismissed(false);
      setToken(t ? { ...t, end: caret } : null);
    },
    close() {
      setToken(null);
    },
    pick(s: Suggestion) {
      if (token) opts.onPick(s, token.start, token.end);
      setToken(null);
    },
    /** True when the key was for the list (the caller should not act on it). */
    onKeyDown(e: KeyboardEvent): boolean {
      if (!open) return false;
      if (e.key === 'ArrowDown') setActive((a) => (a + 1) % items.length);
      else if (e.key === 'ArrowUp') setActive((a) => (a - 1 + items.length) % items.length);
      else if (e.key === 'Enter' || e.key === 'Tab') {
        if (token) opts.onPick(items[active], token.start, token.end);
        setToken(null);
      } else if (e.key === 'Escape') setDismissed(true);
      else return false;
      e.preventDefault();
      return true;
    },
  };
}

export function SuggestionList({ id, label, items, active, onPick }: { id: string; label: string; items: Suggestion[]; active: number; onPick: (s: Suggestion) => void }) {
  return (
    <ul id={id} role="listbox" aria-label={label} className="suggestions">
      {items.map((s, i) => (
        <li
          key={s.id}
          id={`${id}-${i}`}
          role="option"
          aria-selected={i === active}
          onMouseDown={(e) => {
            // Keep focus (and the caret) in the text field.
            e.preventDefault();
            onPick(s);
          }}
        >
          {s.label} {s.detail && <span className="muted">{s.detail}</span>}
        </li>
      ))}
    </ul>
  );
}
