import { describe, expect, it } from '@jest/globals';
import { visibleText } from './email-text.js';

describe('visibleText', () => {
  it('starts a new post with the subject and keeps the text part', () => {
    expect(visibleText({ subject: 'Launch update', text: 'We shipped the beta.\n', html: false }, false)).toBe('Launch update\n\nWe shipped the beta.');
  });

  it('strips quoted replies and signatures from a reply, and drops its subject', () => {
    const text = ['Sounds good, ship it.', '', '-- ', 'Ann Lee | Design', '', 'On Mon, 23 Nov 2026 at 10:00, Chorus <n@chorus.test> wrote:', '> the original post'].join('\n');
    expect(visibleText({ subject: 'Re: Launch update', text, html: false }, true)).toBe('Sounds good, ship it.');
  });

  it('converts HTML when there is no text part, without markup or images', () => {
    const html = '<p>Hello <b>team</b></p><img src="cid:logo"><p><a href="https://example.test/x">the doc</a></p><blockquote>quoted</blockquote>';
    const out = visibleText({ subject: '', text: undefined, html }, true);
    expect(out).toContain('Hello team');
    expect(out).toContain('the doc [https://example.test/x]');
    expect(out).not.toMatch(/<|cid:/);
  });

  it('does not repeat a subject that the text already starts with; a subject alone is a post', () => {
    expect(visibleText({ subject: 'Fwd: Standup moved', text: 'Standup moved to 10:30', html: false }, false)).toBe('Standup moved to 10:30');
    expect(visibleText({ subject: 'Standup moved', text: '', html: false }, false)).toBe('Standup moved');
  });
});
