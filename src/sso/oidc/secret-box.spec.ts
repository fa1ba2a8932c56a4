import { randomBytes } from 'node:crypto';
import { AppConfig, ConfigError } from '../../config/app-config.js';
import { OidcError } from './oidc-error.js';
import { SecretBox } from './secret-box.js';

const box = (key?: string) => new SecretBox(AppConfig.fromEnvironment({}, key ? { SECRETS_KEY: key } : {}));

describe('SecretBox', () => {
  const key = randomBytes(32);

  it.each([['base64', key.toString('base64')], ['hex', key.toString('hex')], ['base64url', key.toString('base64url')]])('seals and opens with a %s key', (_, k) => {
    const sealed = box(k).seal('s3cret-value', 'org-1');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('s3cret');
    expect(box(key.toString('hex')).open(sealed, 'org-1')).toBe('s3cret-value');
  });

  it('uses a fresh IV each time', () => {
    const b = box(key.toString('base64'));
    expect(b.seal('same', 'org-1')).not.toBe(b.seal('same', 'org-1'));
  });

  it('does not open a secret moved to another org, tampered with, or under another key', () => {
    const sealed = box(key.toString('base64')).seal('s3cret', 'org-1');
    expect(() => box(key.toString('base64')).open(sealed, 'org-2')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box(key.toString('base64')).open(parts.join('.'), 'org-1')).toThrow();
    expect(() => box(randomBytes(32).toString('base64')).open(sealed, 'org-1')).toThrow();
  });

  it('says clearly that SECRETS_KEY is missing', () => {
    expect(() => box().seal('s3cret', 'org-1')).toThrow(OidcError);
    expect(() => box().seal('s3cret', 'org-1')).toThrow(/SECRETS_KEY is not set/);
  });

  it('refuses a key of the wrong size at start, without echoing it', () => {
    const bad = randomBytes(16).toString('base64');
    expect(() => box(bad)).toThrow(ConfigError);
    expect(() => box(bad)).toThrow(/SECRETS_KEY: must be 32 bytes/);
    expect(() => box(bad)).not.toThrow(new RegExp(bad.replace(/[+/=]/g, '.')));
  });
});
