import {
  EDITED_MARK,
  REVIEW_MARK,
  SHORT_LEGEND,
  exhibitName,
  oneLine,
  speakerName,
  statusLine,
  width,
  wrap,
  hasMarks,
} from './exportText.js';
import type { DocumentSegment, TranscriptDocument } from './TranscriptDocument.js';

/** One subtitle: its time and its words, before a format writes them down. */
export interface SubtitleCue {
  startMs: number;
  endMs: number;
  speaker: string | null;
  /** The marks this cue carries, [?] and/or [E], already in reading order. */
  marks: string;
  text: string;
}

/** Two lines of 42 characters: what a viewer can read in the time a cue is shown. */
export const CUE_MAX_CHARS = 84;
export const CUE_LINE_CHARS = 42;

/** How long the opening cue with the marking and the draft notice stays up. */
export const HEADER_CUE_MS = 5000;

/** Longer than this on screen and the words drift away from the voice. */
export const CUE_MAX_MS = 7000;

interface Token {
  text: string;
  startMs: number;
  endMs: number;
}

/**
 * The segment's words with their times: the engine's own word timings while
 * the text is still the words the engine timed, otherwise times shared out
 * over the segment in proportion to the characters before each word.
 */
function timedTokens(segment: DocumentSegment): { tokens: Token[]; timed: boolean } {
  const words = oneLine(segment.text).split(' ').filter(Boolean);
  const engineWords = segment.words.map((w) => oneLine(w.text));
  if (words.length === engineWords.length && words.every((w, i) => w === engineWords[i])) {
    const tokens = segment.words.map((w, i) => ({
      text: words[i]!,
      startMs: Math.min(Math.max(w.startMs, segment.startMs), segment.endMs),
      endMs: Math.min(Math.max(w.endMs, segment.startMs), segment.endMs),
    }));
    return { tokens, timed: true };
  }

  const total = Math.max(1, width(words.join(' ')));
  const span = segment.endMs - segment.startMs;
  const at = (chars: number) => Math.round(segment.startMs + (span * chars) / total);
  let offset = 0;
  const tokens = words.map((text) => {
    const token = { text, startMs: at(offset), endMs: at(offset + width(text)) };
    offset += width(text) + 1;
    return token;
  });
  return { tokens, timed: false };
}

/** How well a piece ends after this token: a sentence is best, a clause next. */
function breakQuality(token: string): number {
  if (/[.?!…]["'”’)]*$/.test(token)) return 2;
  if (/[,;:—–]["'”’)]*$/.test(token)) return 1;
  return 0;
}

/**
 * Where the next piece should end: the last token that still fits, unless a
 * sentence or clause ends in the second half of the room, which reads better.
 */
function pieceEnd(tokens: Token[], from: number, room: number, timed: boolean): number {
  let end = from;
  let chars = width(tokens[from]!.text);
  while (end + 1 < tokens.length) {
    const next = tokens[end + 1]!;
    const longer = chars + 1 + width(next.text);
    const tooLong = timed && next.endMs - tokens[from]!.startMs > CUE_MAX_MS;
    if (longer > room || tooLong) break;
    chars = longer;
    end += 1;
  }
  if (end + 1 === tokens.length) return end;

  let best = end;
  let bestQuality = 0;
  let seen = 0;
  for (let i = from; i <= end; i += 1) {
    seen += width(tokens[i]!.text) + 1;
    const quality = breakQuality(tokens[i]!.text);
    if (seen * 2 >= chars && quality >= bestQuality && quality > 0) {
      best = i;
      bestQuality = quality;
    }
  }
  return best;
}

/**
 * A segment as cues a viewer can read: split at sentence or clause ends where
 * it runs past two lines (or, with word timings, past seven seconds), each
 * piece timed from the words it holds.
 */
export function subtitleCues(segment: DocumentSegment): SubtitleCue[] {
  const { tokens, timed } = timedTokens(segment);
  if (tokens.length === 0) return [];

  const marks = [segment.needsReview ? REVIEW_MARK : '', segment.edited ? EDITED_MARK : '']
    .filter(Boolean)
    .join(' ');
  const prefix = `${speakerName(segment.speaker)}: ${marks === '' ? '' : `${marks} `}`;
  const room = Math.max(CUE_LINE_CHARS, CUE_MAX_CHARS - width(prefix));

  const cues: SubtitleCue[] = [];
  for (let from = 0; from < tokens.length;) {
    const end = pieceEnd(tokens, from, room, timed);
    const piece = tokens.slice(from, end + 1);
    const startMs = from === 0 ? segment.startMs : piece[0]!.startMs;
    const endMs = end + 1 === tokens.length ? segment.endMs : tokens[end + 1]!.startMs;
    cues.push({
      startMs,
      endMs: Math.max(startMs, endMs),
      speaker: segment.speaker,
      marks,
      text: piece.map((t) => t.text).join(' '),
    });
    from = end + 1;
  }
  return cues;
}

/**
 * The opening cue's lines, before a format escapes them: the marking, the
 * case and exhibit, the draft notice or who signed off, when and their
 * statement, and the legend when any cue carries a mark.
 */
export function headerCueLines(doc: TranscriptDocument): string[] {
  const marked = hasMarks(doc);
  return [
    doc.classification,
    ...wrap(`${oneLine(doc.caseReference)} · ${exhibitName(doc)}`, CUE_LINE_CHARS),
    ...wrap(statusLine(doc), CUE_LINE_CHARS),
    ...(doc.signOff === null ? [] : wrap(`“${oneLine(doc.signOff.statement)}”`, CUE_LINE_CHARS)),
    ...(marked ? wrap(SHORT_LEGEND, CUE_LINE_CHARS) : []),
  ];
}
