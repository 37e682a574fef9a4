import type { EngineSegment } from './WhisperEngine.js';

export type SegmentFlag = 'low-confidence' | 'repetition';

/** Below this average token log-probability a segment is marked for review. */
export const LOW_LOGPROB = -1.0;
/** A word the model gave less than this probability marks its segment for review. */
export const LOW_WORD_P = 0.2;

/**
 * A run of the same one to six words four or more times over, the loop
 * Whisper falls into on noise or music ("thank you thank you thank you...").
 */
export function hasRepetitionLoop(text: string): boolean {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  for (let n = 1; n <= 6; n++) {
    for (let start = 0; start + n * 4 <= words.length; start++) {
      const gram = words.slice(start, start + n).join(' ');
      let repeats = 1;
      for (
        let at = start + n;
        at + n <= words.length && words.slice(at, at + n).join(' ') === gram;
        at += n
      ) {
        repeats++;
      }
      if (repeats >= 4) return true;
    }
  }
  return false;
}

/** What a reviewer should look at again in this segment. */
export function flagsFor(segment: EngineSegment): SegmentFlag[] {
  const flags: SegmentFlag[] = [];
  const weakWord = segment.words.some((w) => w.p < LOW_WORD_P);
  if (segment.avgLogprob < LOW_LOGPROB || weakWord) flags.push('low-confidence');
  if (hasRepetitionLoop(segment.text)) flags.push('repetition');
  return flags;
}
