import { describe, expect, it } from 'vitest';

import { cutForTranslation, joinTranslation } from '../../../workers/translate/keepIntact.js';

describe('keepIntact', () => {
  const cases: [string, string[]][] = [
    ['call me on 07700 900123 tonight', ['call me on ', '[07700 900123]', ' tonight']],
    ['see https://example.org/a?b=1 now', ['see ', '[https://example.org/a?b=1]', ' now']],
    ['ok 👍🏽 mate', ['ok ', '[👍🏽]', ' mate']],
    ['ask @dealer_dan for £200', ['ask ', '[@dealer_dan]', ' for ', '[£200]']],
    ['mail x.y@example.co.uk', ['mail ', '[x.y@example.co.uk]']],
    ['打给我07700900123明天', ['打给我', '[07700900123]', '明天']],
    ['🇬🇧', ['[🇬🇧]']],
    [
      '=HYPERLINK("http://x.example/","x") 把地址发给我',
      ['[=HYPERLINK("http://x.example/","x")]', ' 把地址发给我'],
    ],
    ['<b>快</b>走', ['[<b>]', '快', '[</b>]', '走']],
    ['控制\u0000\u001b字符', ['控制', '[\u0000\u001b]', '字符']],
  ];
  it.each(cases)('cuts %j into runs and kept pieces', (text, want) => {
    expect(cutForTranslation(text).map((p) => (p.translate ? p.text : `[${p.text}]`))).toEqual(
      want,
    );
  });

  it('keeps a glossary term as written, or puts its set rendering in its place', () => {
    const pieces = cutForTranslation('bring the Food to Elm Street', [
      { source: 'food', target: 'drugs (slang: "food")' },
      { source: 'Elm Street' },
    ]);
    expect(pieces).toEqual([
      { translate: true, text: 'bring the ' },
      { translate: false, text: 'drugs (slang: "food")' },
      { translate: true, text: ' to ' },
      { translate: false, text: 'Elm Street' },
    ]);
  });

  it('matches a term of punctuation inside unspaced text, and keeps two touching terms two words', () => {
    const glossary = [
      { source: '(.*)', target: 'X' },
      { source: '老王', target: 'Old Wang' },
    ];
    expect(cutForTranslation('说(.*)了', glossary).map((p) => p.text)).toEqual(['说', 'X', '了']);
    const pieces = cutForTranslation('老王老王说', glossary);
    expect(joinTranslation(pieces, ['says'])).toBe('Old Wang Old Wang says');
  });

  it('puts the translations back with the spacing the message had, and spaces runs that touched', () => {
    const pieces = cutForTranslation('打给我07700900123明天 😀');
    expect(joinTranslation(pieces, ['Call me', 'Tomorrow'])).toBe(
      'Call me 07700900123 Tomorrow 😀',
    );
  });

  it('matches in a glossary of 20,000 terms, the longest where two start at one place', () => {
    const glossary = Array.from({ length: 20_000 }, (_, i) => ({
      source: `term${i}名`,
      target: `T${i}`,
    }));
    glossary.push({ source: 'TERM1', target: 'short' });
    const pieces = cutForTranslation('明天 term19999名 见 Term1名 和 term1 在 terminal', glossary);
    expect(pieces).toEqual([
      { translate: true, text: '明天 ' },
      { translate: false, text: 'T19999' },
      { translate: true, text: ' 见 ' },
      { translate: false, text: 'T1' },
      { translate: true, text: ' 和 ' },
      { translate: false, text: 'short' },
      { translate: true, text: ' 在 terminal' },
    ]);
  });
});
