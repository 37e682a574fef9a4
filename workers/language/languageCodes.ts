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

/**
 * The script of each language written in one of its own (those written in
 * Latin letters are not listed): text with no letter of it is not in that
 * language, whatever a recording as a whole was heard to be.
 */
const OWN_SCRIPT: Record<string, RegExp> = {
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u,
  ko: /\p{Script=Hangul}/u,
  ar: /\p{Script=Arabic}/u,
  fa: /\p{Script=Arabic}/u,
  ur: /\p{Script=Arabic}/u,
  ps: /\p{Script=Arabic}/u,
  ru: /\p{Script=Cyrillic}/u,
  uk: /\p{Script=Cyrillic}/u,
  bg: /\p{Script=Cyrillic}/u,
  el: /\p{Script=Greek}/u,
  he: /\p{Script=Hebrew}/u,
  th: /\p{Script=Thai}/u,
  hi: /\p{Script=Devanagari}/u,
  bn: /\p{Script=Bengali}/u,
  pa: /\p{Script=Gurmukhi}/u,
  ta: /\p{Script=Tamil}/u,
  am: /\p{Script=Ethiopic}/u,
  ka: /\p{Script=Georgian}/u,
  hy: /\p{Script=Armenian}/u,
};

/** False when `language` has a script of its own and `text` holds none of its letters. */
export function mayBeIn(language: string, text: string): boolean {
  return OWN_SCRIPT[language]?.test(text) ?? true;
}
