import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../../../src/config/app-config.js';
import { bounceEmail, notificationEmail, subjectLine } from './email-content.js';
import { UnsubscribeTokens } from './email-unsubscribe-token.js';

const footer = { unsubscribeUrl: 'https://chorus.test/email/unsubscribe?token=a.b', preferencesUrl: 'https://chorus.test/api/docs#/email' };

describe('outbound email content', () => {
  it('never lets user text become markup, links or extra headers', () => {
    const mail = notificationEmail({
      kind: 'mention',
      actorName: 'Eve <img src=x onerror=alert(1)>\r\nBcc: victim@example.com',
      groupName: 'design',
      body: '<a href="https://evil.test">click</a> "quoted" & \'single\'',
      postUrl: 'https://chorus.test/posts/1',
      replyable: true,
      footer,
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('evil.test">');
    expect(mail.html).toContain('&lt;a href=&quot;https://evil.test&quot;&gt;click&lt;/a&gt; &quot;quoted&quot; &amp; &#39;single&#39;');
    expect(mail.html.match(/<a href="([^"]+)"/g)).toEqual(['<a href="https://chorus.test/posts/1"', `<a href="${footer.unsubscribeUrl}"`, `<a href="${footer.preferencesUrl}"`]);
    expect(mail.text).toContain('Reply to this email to answer in Chorus.');
  });

  it('keeps subjects to one short line', () => {
    expect(subjectLine('a\r\n\tb')).toBe('a b');
    expect([...subjectLine('x'.repeat(500))].length).toBe(200);
    expect(bounceEmail({ target: 't@o.test', code: 'c', reason: 'r', originalSubject: null, originalMessageId: null }).subject).toBe('Not posted: (no subject)');
  });
});

describe('unsubscribe tokens', () => {
  const config = AppConfig.fromEnvironment({}, { SECRETS_KEY: 'ab'.repeat(32), PUBLIC_URL: 'https://chorus.test' });
  const tokens = new UnsubscribeTokens(config);
  const org = '0b6f1c2e-1111-4a4a-8b8b-000000000001';
  const user = '0b6f1c2e-2222-4a4a-8b8b-000000000002';

  it('round-trips and refuses any change', () => {
    const token = new URL(tokens.url(org, user, 'digest')!).searchParams.get('token')!;
    expect(tokens.verify(token)).toEqual({ orgId: org, userId: user, kind: 'digest' });
    const [, mac] = token.split('.');
    const other = Buffer.from(`${org}.${user}.all`).toString('base64url');
    expect(() => tokens.verify(`${other}.${mac}`)).toThrow();
    expect(() => tokens.verify(`${token}x`)).toThrow();
    expect(() => tokens.verify(undefined)).toThrow();
    const otherKey = new UnsubscribeTokens(AppConfig.fromEnvironment({}, { SECRETS_KEY: 'cd'.repeat(32) }));
    expect(() => otherKey.verify(token)).toThrow();
  });

  it('makes no one-click link without SECRETS_KEY', () => {
    expect(new UnsubscribeTokens(AppConfig.fromEnvironment({}, {})).url(org, user, 'all')).toBeNull();
  });
});
