/**
 * The detector's name and version, stored with every result so that a
 * language can be traced to what decided it, and results of an older
 * detector found and redone. Bump it when the rules or the library change.
 */
export const DETECTOR = 'eld-2.1.0-large+arabizi-1';

/** No language could be told: too few letters (an emoji, a number, a link). */
export const UNDETERMINED = 'und';

/** Arabic written in Latin letters, as BCP 47 writes it. */
export const ARABIZI = 'ar-Latn';
