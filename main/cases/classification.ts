import { ToexError } from '../errors.js';

/**
 * Government Security Classifications: this terminal is accredited for
 * OFFICIAL, including the OFFICIAL-SENSITIVE handling caveat, and no higher.
 */
export const CLASSIFICATIONS = ['OFFICIAL', 'OFFICIAL-SENSITIVE'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

const ABOVE_ACCREDITATION = ['SECRET', 'TOP SECRET', 'TOP-SECRET', 'CONFIDENTIAL', 'RESTRICTED'];

export function parseClassification(text: string): Classification {
  const marking = text
    .trim()
    .toUpperCase()
    .replace(/[\s_]+/g, '-');
  if ((CLASSIFICATIONS as readonly string[]).includes(marking)) return marking as Classification;
  if (
    ABOVE_ACCREDITATION.includes(marking) ||
    ABOVE_ACCREDITATION.includes(marking.replace(/-/g, ' '))
  ) {
    throw new ToexError(
      'bad-input',
      `${marking} material cannot be held here: this terminal is accredited up to OFFICIAL-SENSITIVE`,
    );
  }
  throw new ToexError(
    'bad-input',
    `unknown classification "${text.trim()}" (use OFFICIAL or OFFICIAL-SENSITIVE)`,
  );
}
