import { slackTextToPlain } from './slack-text.js';

describe('slackTextToPlain', () => {
  it('unescapes and flattens Slack entities', () => {
    expect(slackTextToPlain('a &lt;b&gt; &amp; c')).toBe('a <b> & c');
    expect(slackTextToPlain('see <https://x.test/a|the doc> and <https://x.test/b>')).toBe('see the doc (https://x.test/a) and https://x.test/b');
    expect(slackTextToPlain('in <#C123ABC|general> cc <@U42> <!here>')).toBe('in #general cc @U42 @here');
    expect(slackTextToPlain('mail <mailto:a@b.test|a@b.test>')).toBe('mail a@b.test');
  });
});
