import { DomainError } from './domain-error.js';
import { decodeCursor, encodeCursor, toPage } from './cursor.js';

describe('keyset cursors', () => {
  it('round-trips a sort key through an opaque string', () => {
    const cursor = encodeCursor(['alice', '3f1c']);
    expect(cursor).not.toContain('alice');
    expect(decodeCursor(cursor, 2)).toEqual(['alice', '3f1c']);
  });

  it.each(['garbage!', encodeCursor(['only-one']), Buffer.from('{"a":1}').toString('base64url'), encodeCursor([['nested'] as unknown as string, 'x'])])(
    'rejects a forged or foreign cursor (%s) with invalid_cursor',
    (cursor) => {
      expect(() => decodeCursor(cursor, 2)).toThrow(DomainError);
      try {
        decodeCursor(cursor, 2);
      } catch (e) {
        expect((e as DomainError).code).toBe('invalid_cursor');
      }
    },
  );

  it('returns the first page and a cursor only when more rows exist', () => {
    const rows = [1, 2, 3].map((n) => ({ n }));
    const more = toPage(rows, 2, (r) => [r.n], (r) => r.n);
    expect(more).toEqual({ items: [1, 2], nextCursor: encodeCursor([2]) });
    expect(toPage(rows, 3, (r) => [r.n], (r) => r.n)).toEqual({ items: [1, 2, 3], nextCursor: null });
  });
});
