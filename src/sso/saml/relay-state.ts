/** RelayState is followed only to a path on this site: one leading `/`, no scheme, host or backslash. */
export function safeRelayState(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return null;
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) return null;
  const url = new URL(value, 'https://relay.invalid');
  if (url.origin !== 'https://relay.invalid') return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
