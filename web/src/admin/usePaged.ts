import { useCallback, useEffect, useRef, useState } from 'react';
import { get, type Page } from '../api';

/**
 * A cursor-paged list: the first page whenever `path` changes, `loadMore()` appends the next one.
 * `path` carries the filters; the cursor is added here.
 */
export function usePaged<T>(path: string) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const run = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const mine = ++run.current;
      setLoading(true);
      setError(null);
      try {
        const sep = path.includes('?') ? '&' : '?';
        const page = await get<Page<T>>(after ? `${path}${sep}cursor=${encodeURIComponent(after)}` : path);
        if (mine !== run.current) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (e) {
        if (mine === run.current) setError(e);
      } finally {
        if (mine === run.current) setLoading(false);
      }
    },
    [path],
  );

  useEffect(() => {
    void fetchPage(null);
  }, [fetchPage, tick]);

  return {
    items,
    setItems,
    loading,
    error,
    hasMore: cursor !== null,
    loadMore: () => void fetchPage(cursor),
    reload: () => setTick((t) => t + 1),
  };
}
