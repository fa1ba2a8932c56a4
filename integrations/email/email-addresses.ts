import { createHash, randomBytes } from 'node:crypto';

/**
 * Chorus's own mail addresses, all under `<org slug>.<POSTING_DOMAIN>`:
 * - `<group>@…` posts to the group (the group's name folded to [a-z0-9-], see emailLocalPart);
 * - `<group>+<secret>@…` is the group's secret address (when the org allows it, no DKIM needed);
 * - `company@…` posts to the company stream (when no group is called "company");
 * - `reply+<token>@…` answers a post as the user the notification went to.
 */
export const REPLY_LOCAL = 'reply';
export const COMPANY_LOCAL = 'company';

export interface ChorusRecipient {
  orgSlug: string;
  /** The part before `+`, lowercase. */
  local: string;
  /** The part after the first `+` (secret or reply token), or null. */
  tag: string | null;
}

/** Same folding as the SQL function email_local_part(): "R&D Europe" becomes "r-d-europe". */
export function emailLocalPart(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The parts of an address at one of our org domains, or null when it is not ours or malformed. */
export function parseChorusAddress(address: string, postingDomain: string): ChorusRecipient | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.length > 320) return null;
  const localFull = address.slice(0, at).toLowerCase();
  const domain = address.slice(at + 1).toLowerCase().replace(/\.$/, '');
  const suffix = `.${postingDomain.toLowerCase()}`;
  if (!domain.endsWith(suffix)) return null;
  const orgSlug = domain.slice(0, -suffix.length);
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(orgSlug)) return null;
  const plus = localFull.indexOf('+');
  const local = plus === -1 ? localFull : localFull.slice(0, plus);
  const tag = plus === -1 ? null : localFull.slice(plus + 1);
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62})$/.test(local)) return null;
  if (tag !== null && !/^[a-z0-9]{8,64}$/.test(tag)) return null;
  return { orgSlug, local, tag };
}

export function orgMailDomain(orgSlug: string, postingDomain: string): string {
  return `${orgSlug}.${postingDomain}`;
}

export function groupAddress(orgSlug: string, groupName: string, postingDomain: string, secret?: string): string {
  return `${emailLocalPart(groupName)}${secret ? `+${secret}` : ''}@${orgMailDomain(orgSlug, postingDomain)}`;
}

export function replyAddress(orgSlug: string, token: string, postingDomain: string): string {
  return `${REPLY_LOCAL}+${token}@${orgMailDomain(orgSlug, postingDomain)}`;
}

/** A random token for an address: 160 bits in lowercase base32 (32 characters, safe in any mailbox). */
export function newAddressToken(): string {
  const bytes = randomBytes(20);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** Tokens and secrets are stored as SHA-256 only. */
export function hashAddressToken(token: string): Buffer {
  return createHash('sha256').update(token.toLowerCase()).digest();
}

/** The bare address of a header value such as `"Ann Lee" <ann@example.com>`, lowercased. */
export function bareAddress(value: string): string {
  const angle = /<([^<>]+)>/.exec(value);
  return (angle ? angle[1] : value).trim().toLowerCase();
}
