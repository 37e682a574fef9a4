import { describe, expect, it } from 'vitest';

import { arabiziCues, looksArabizi } from '../../../workers/language/arabizi.js';

describe('arabizi', () => {
  const cases: [string, boolean][] = [
    ['wenak ya 5ayi', true],
    ['2addesh se3r el packet', true],
    ['wallah', true],
    ['yalla bro', true],
    ['ana bel beit', false],
    ['el shabab barra el ma7al', true],
    ['el paquete llega mañana', false],
    ['el 3er piso a la izquierda', false],
    ['c u 2moro at 7', false],
    ['meet at 3pm on the 2nd floor', false],
    ['got 5k left', false],
    ['shu', true],
    ['ok', false],
    ['', false],
  ];
  it.each(cases)('reads %j as Arabizi: %s', (text, want) => {
    expect(looksArabizi(arabiziCues(text))).toBe(want);
  });

  it('counts sound digits only where they touch letters', () => {
    expect(arabiziCues('el ma7al 3al 7 2 3pm')).toEqual({
      words: 6,
      soundDigits: 2,
      lexicon: 1,
      articles: 1,
    });
  });
});
