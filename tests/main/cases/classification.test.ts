import { describe, expect, it } from 'vitest';

import { parseClassification } from '../../../main/cases/classification.js';

describe('classification', () => {
  it.each([
    ['OFFICIAL', 'OFFICIAL'],
    ['official', 'OFFICIAL'],
    [' OFFICIAL-SENSITIVE ', 'OFFICIAL-SENSITIVE'],
    ['official sensitive', 'OFFICIAL-SENSITIVE'],
    ['Official_Sensitive', 'OFFICIAL-SENSITIVE'],
  ])('accepts %j as %s', (text, marking) => {
    expect(parseClassification(text)).toBe(marking);
  });

  it.each(['SECRET', 'secret', 'TOP SECRET', 'top-secret'])(
    "refuses %j as above the terminal's accreditation",
    (text) => {
      expect(() => parseClassification(text)).toThrow(
        /cannot be held here: this terminal is accredited up to OFFICIAL-SENSITIVE/,
      );
    },
  );

  it.each(['', 'UNCLASSIFIED', 'PROTECT', 'OFFICIAL-SENSITIVE-PERSONAL'])(
    'refuses the unknown marking %j',
    (text) => {
      expect(() => parseClassification(text)).toThrow(/unknown classification/);
    },
  );
});
