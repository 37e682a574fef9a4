import { describe, expect, it } from 'vitest';

import { count, forTerminal, table } from '../../../main/cli/format.js';

describe('terminal output', () => {
  it('escapes control and direction characters, which could rewrite the screen', () => {
    expect(forTerminal('a\u001b[2Jb\u202ec')).toBe('a\\u{1b}[2Jb\\u{202e}c');
  });

  it('lines columns up after escaping, so a hostile name keeps its column', () => {
    expect(
      table([
        ['WHO', 'N'],
        ['Evil \u202eredloh', '1'],
        ['Kai', '22'],
      ]),
    ).toEqual(['WHO                  N', 'Evil \\u{202e}redloh  1', 'Kai                  22']);
  });

  it('lines columns up after Chinese and Korean text, which a terminal draws two columns wide', () => {
    expect(
      table([
        ['ORIGINAL', 'TRANSLATION'],
        ['丝芙兰的冷雨', 'cold rain'],
        ['안녕', 'hello'],
        ['café', 'coffee'],
      ]),
    ).toEqual([
      'ORIGINAL      TRANSLATION',
      '丝芙兰的冷雨  cold rain',
      '안녕          hello',
      'café          coffee',
    ]);
  });

  it('counts in words', () => {
    expect([
      count(1, 'thread'),
      count(2, 'thread'),
      count(1, 'person', 'people'),
      count(12_000, 'call'),
    ]).toEqual(['1 thread', '2 threads', '1 person', '12,000 calls']);
  });
});
