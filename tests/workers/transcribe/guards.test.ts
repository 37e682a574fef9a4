import { describe, expect, it } from 'vitest';

import { flagsFor, hasRepetitionLoop } from '../../../workers/transcribe/guards.js';

describe('guards', () => {
  it.each([
    ['thank you thank you thank you thank you', true],
    ['Thank you. Thank you. Thank you. Thank you.', true],
    ['I went to the shop, to the shop, to the shop, to the shop', true],
    ['no no no', false],
    ['And so my fellow Americans ask not what your country can do for you', false],
    ['', false],
  ])('%j has a repetition loop: %s', (text, expected) => {
    expect(hasRepetitionLoop(text)).toBe(expected);
  });

  it('marks a segment for review when its average log-probability or one of its words is weak', () => {
    const word = (p: number) => ({ text: 'w', startMs: 0, endMs: 1, p });
    const base = {
      startMs: 0,
      endMs: 1000,
      text: 'fine words here',
      words: [word(0.9), word(0.8)],
    };
    expect(flagsFor({ ...base, avgLogprob: -0.2 })).toEqual([]);
    expect(flagsFor({ ...base, avgLogprob: -1.4 })).toEqual(['low-confidence']);
    expect(flagsFor({ ...base, avgLogprob: -0.2, words: [word(0.9), word(0.05)] })).toEqual([
      'low-confidence',
    ]);
    expect(flagsFor({ ...base, avgLogprob: -0.2, text: 'yeah yeah yeah yeah yeah' })).toEqual([
      'repetition',
    ]);
  });
});
