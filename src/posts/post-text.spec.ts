import { extractHashtags, extractMentions } from './post-text.js';

describe('post text parsing', () => {
  it('finds distinct mentions, case-insensitively, ignoring emails and sentence dots', () => {
    expect(extractMentions('Thanks @Ada and @grace.hopper! cc @ada. Mail me at bob@acme.test')).toEqual(['ada', 'grace.hopper']);
  });

  it('finds distinct hashtags in any script, ignoring numbers, anchors and HTML entities', () => {
    expect(extractHashtags('#Launch day! #launch #Q3 #1 #日本 see page#anchor and &#39;')).toEqual(['launch', 'q3', '日本']);
  });

  it('finds nothing in plain text', () => {
    expect(extractMentions('no mentions here')).toEqual([]);
    expect(extractHashtags('no tags here')).toEqual([]);
  });
});
