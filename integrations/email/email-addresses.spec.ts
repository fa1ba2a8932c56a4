import { describe, expect, it } from '@jest/globals';
import { emailLocalPart, groupAddress, hashAddressToken, newAddressToken, parseChorusAddress, replyAddress } from './email-addresses.js';

describe('email addresses', () => {
  it('folds group names the same way as the SQL function', () => {
    expect(emailLocalPart('R&D Europe')).toBe('r-d-europe');
    expect(emailLocalPart('  Sales -- EMEA ')).toBe('sales-emea');
    expect(groupAddress('acme', 'Design Team', 'chorus.test')).toBe('design-team@acme.chorus.test');
  });

  it('parses our addresses and only ours', () => {
    expect(parseChorusAddress('Design-Team@ACME.chorus.test', 'chorus.test')).toEqual({ orgSlug: 'acme', local: 'design-team', tag: null });
    expect(parseChorusAddress('design+abcdefgh12@acme.chorus.test', 'chorus.test')).toEqual({ orgSlug: 'acme', local: 'design', tag: 'abcdefgh12' });
    expect(parseChorusAddress('design@acme.other.test', 'chorus.test')).toBeNull();
    expect(parseChorusAddress('design@chorus.test', 'chorus.test')).toBeNull();
    expect(parseChorusAddress('design@a.b.chorus.test', 'chorus.test')).toBeNull();
    expect(parseChorusAddress('de sign@acme.chorus.test', 'chorus.test')).toBeNull();
    expect(parseChorusAddress('design+x@acme.chorus.test', 'chorus.test')).toBeNull();
  });

  it('makes reply tokens that survive case-folding mail systems', () => {
    const token = newAddressToken();
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    const parsed = parseChorusAddress(replyAddress('acme', token, 'chorus.test').toUpperCase(), 'chorus.test');
    expect(parsed?.tag).toBe(token);
    expect(hashAddressToken(token.toUpperCase()).equals(hashAddressToken(token))).toBe(true);
  });
});
