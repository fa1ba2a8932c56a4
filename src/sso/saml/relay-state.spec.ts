import { safeRelayState } from './relay-state.js';

describe('safeRelayState', () => {
  it.each([
    ['/', '/'],
    ['/streams/home', '/streams/home'],
    ['/search?q=a%20b#top', '/search?q=a%20b#top'],
    ['/a/../b', '/b'],
  ])('keeps the path %s', (input, expected) => {
    expect(safeRelayState(input)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '///evil.example',
    'https://evil.example',
    'javascript:alert(1)',
    '/\\evil.example',
    '\\\\evil.example',
    '/\tevil',
    'relative/path',
    '',
  ])('drops %j', (input) => {
    expect(safeRelayState(input)).toBeNull();
  });

  it('drops an overlong path', () => {
    expect(safeRelayState(`/${'a'.repeat(1024)}`)).toBeNull();
  });

  it('drops anything but a string', () => {
    expect(safeRelayState(['/a'])).toBeNull();
    expect(safeRelayState(undefined)).toBeNull();
  });
});
