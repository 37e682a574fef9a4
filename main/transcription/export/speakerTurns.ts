import { oneLine } from './exportText.js';
import type { DocumentSegment, TranscriptDocument } from './TranscriptDocument.js';

/** One paragraph of the record: a speaker's words from one time, with one set of marks. */
export interface SpeakerTurn {
  speaker: string | null;
  startMs: number;
  endMs: number;
  text: string;
  needsReview: boolean;
  edited: boolean;
  segmentCount: number;
}

/** A pause longer than this starts a new turn even when the speaker goes on. */
export const TURN_GAP_MS = 3000;

/** A turn is cut here so its time stays a useful pointer into the audio. */
export const TURN_MAX_MS = 60_000;

/**
 * Joins consecutive segments of one speaker into turns. A turn never mixes
 * marked and unmarked segments, so a mark covers exactly the words it names.
 */
export function speakerTurns(segments: DocumentSegment[]): SpeakerTurn[] {
  const turns: SpeakerTurn[] = [];
  for (const segment of segments) {
    const text = oneLine(segment.text);
    if (text === '') continue;

    const last = turns.at(-1);
    if (
      last !== undefined &&
      last.speaker === segment.speaker &&
      last.needsReview === segment.needsReview &&
      last.edited === segment.edited &&
      segment.startMs - last.endMs <= TURN_GAP_MS &&
      segment.endMs - last.startMs <= TURN_MAX_MS
    ) {
      last.text = `${last.text} ${text}`;
      last.endMs = Math.max(last.endMs, segment.endMs);
      last.segmentCount += 1;
      continue;
    }

    turns.push({
      speaker: segment.speaker,
      startMs: segment.startMs,
      endMs: segment.endMs,
      text,
      needsReview: segment.needsReview,
      edited: segment.edited,
      segmentCount: 1,
    });
  }
  return turns;
}

/** The record's last line, so a reader knows nothing was cut off. */
export function endLine(doc: TranscriptDocument): string {
  const turns = speakerTurns(doc.segments).length;
  return `END OF TRANSCRIPT (${turns} ${turns === 1 ? 'turn' : 'turns'})`;
}
