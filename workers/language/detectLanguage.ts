import { eld } from 'eld/large';

import { arabiziCues, looksArabizi } from './arabizi.js';
import { ARABIZI, UNDETERMINED } from './languageCodes.js';

/** Past this many characters the rest of a message adds nothing to the answer but time. */
const SAMPLE_CHARS = 2000;
/** Fewer letters than this, once links, numbers and handles are gone, say nothing. */
const MIN_LETTERS = 3;

export interface DetectedLanguage {
  /** An ISO 639-1 code (`ro`, `sq`), `ar-Latn` for Arabizi, or `und`. */
  language: string;
  /** The detector's score for it, 0 to 1 (1 for Arabizi told by its cues, 0 for `und`). */
  confidence: number;
  /** False when the text is too short or too mixed for the answer to be relied on. */
  reliable: boolean;
}

eld.enableTextCleanup(true);

/**
 * What is left of a message for telling its language: no links, e-mail
 * addresses, @handles, numbers or emoji, which every language shares and
 * which otherwise pull short messages towards whichever language's model
 * happens to hold "https" or "www".
 */
export function languageSample(text: string): string {
  return text
    .slice(0, SAMPLE_CHARS)
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\b(?:https?:\/\/|www\.)\S+/giu, ' ')
    .replace(/\S+@\S+\.\S+/gu, ' ')
    .replace(/(?<!\p{L})@\w+/gu, ' ')
    .replace(/\+?\d[\d\s().-]{5,}\d/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * The language of one message's text.
 *
 * Not yet: one language per message (a mixed message gets the one with more
 * of its text), and Kurmanji Kurdish in Latin letters is not told (eld knows
 * Kurdish only in Arabic script).
 */
export function detectLanguage(text: string): DetectedLanguage {
  const sample = languageSample(text);
  const letters = sample.match(/\p{L}/gu)?.length ?? 0;
  if (letters < MIN_LETTERS) return { language: UNDETERMINED, confidence: 0, reliable: false };

  const latin = sample.match(/\p{Script=Latin}/gu)?.length ?? 0;
  if (latin * 2 > letters && looksArabizi(arabiziCues(sample))) {
    return { language: ARABIZI, confidence: 1, reliable: true };
  }

  const result = eld.detect(sample);
  if (!result.language) return { language: UNDETERMINED, confidence: 0, reliable: false };
  const score = result.getScores()[result.language] ?? 0;
  return {
    language: result.language,
    confidence: Math.round(score * 1000) / 1000,
    reliable: result.isReliable(),
  };
}
