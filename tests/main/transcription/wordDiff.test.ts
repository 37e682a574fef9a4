import { describe, expect, it } from 'vitest';

import { diffLine, wordDiff } from '../../../main/transcription/wordDiff.js';

describe('wordDiff', () => {
  it.each([
    ['same text', 'ask not what', 'ask not what', 'ask not what'],
    ['a word replaced', 'I was in the car', 'I was in the bar', 'I was in the [-car-] {+bar+}'],
    ['words added at the end', 'no comment', 'no comment at all', 'no comment {+at all+}'],
    ['words removed at the start', 'um well I went', 'I went', '[-um well-] I went'],
    ['from nothing', '', 'yes', '{+yes+}'],
    ['to nothing', 'thank you', '', '[-thank you-]'],
    ['spacing ignored', 'two  words', 'two words', 'two words'],
  ])('%s', (_name, before, after, expected) => {
    expect(diffLine(wordDiff(before, after))).toBe(expected);
  });

  it('keeps the longest common run when words move', () => {
    const parts = wordDiff('he gave me the bag', 'the bag he gave me');
    expect(parts.filter((p) => p.op === 'same').map((p) => p.text)).toEqual(['he gave me']);
    expect(parts.filter((p) => p.op === 'added').map((p) => p.text)).toEqual(['the bag']);
  });
});
