import type { SpeechClip } from './SpeechDetector.js';
import type { EngineSegment, Word } from './WhisperEngine.js';

/** Where one region of speech sits in a packed window, and in the recording. */
export interface WindowPiece {
  /** Start inside the window, in ms. */
  windowMs: number;
  startMs: number;
  endMs: number;
}

/** Audio for one whisper.cpp call: speech regions laid end to end with short silences. */
export interface PackedWindow {
  samples: Float32Array;
  pieces: WindowPiece[];
  /** Where the last region ends in the window; any silence after it is padding. */
  contentMs: number;
}

export interface PackerOptions {
  /** Whisper's encoder always reads this much; a window never holds more. */
  windowMs?: number;
  /** Silence laid between two regions, so Whisper hears where one turn ends. */
  gapMs?: number;
  /**
   * The last region and the silence after it last at least this long. Over
   * packed turns whisper.cpp 1.5 times words early, and takes a short last
   * turn ("No.") for the end of the window and drops it unless silence
   * follows; after longer speech, added silence only changes what it hears.
   */
  lastTurnMs?: number;
  /**
   * A window is sent once a region starts this long after its first one, so
   * a crash or a cancel loses little and the transcript grows steadily.
   */
  horizonMs?: number;
}

/**
 * Packs neighbouring regions of speech into windows of up to 30 s. Whisper
 * encodes a whole 30 s window whatever it is given, so ten short answers sent
 * one by one cost ten encoder passes; packed, they cost one.
 */
export class WindowPacker {
  private readonly windowMs: number;
  private readonly gapMs: number;
  private readonly horizonMs: number;
  private readonly lastTurnMs: number;
  private clips: SpeechClip[] = [];
  private filledMs = 0;

  constructor(options: PackerOptions = {}) {
    this.windowMs = options.windowMs ?? 30_000;
    this.gapMs = options.gapMs ?? 1000;
    this.horizonMs = options.horizonMs ?? 60_000;
    this.lastTurnMs = options.lastTurnMs ?? 2000;
  }

  /** Adds a region; returns the window it closed, if it did not fit in it. */
  add(clip: SpeechClip): PackedWindow[] {
    const length = clip.endMs - clip.startMs;
    const first = this.clips[0];
    const fits =
      first !== undefined &&
      this.filledMs + this.gapMs + Math.max(length, this.lastTurnMs) <= this.windowMs &&
      clip.startMs - first.startMs <= this.horizonMs;
    const out = first !== undefined && !fits ? this.end() : [];
    this.filledMs += (this.clips.length > 0 ? this.gapMs : 0) + length;
    this.clips.push(clip);
    return out;
  }

  /** Sends what is held as a last window. */
  end(): PackedWindow[] {
    if (this.clips.length === 0) return [];
    const last = this.clips.at(-1)!;
    const tailMs = Math.max(0, this.lastTurnMs - (last.endMs - last.startMs));
    const samples = new Float32Array((this.filledMs + tailMs) * 16);
    const pieces: WindowPiece[] = [];
    let windowMs = 0;
    for (const clip of this.clips) {
      samples.set(clip.samples, windowMs * 16);
      pieces.push({ windowMs, startMs: clip.startMs, endMs: clip.endMs });
      windowMs += clip.endMs - clip.startMs + this.gapMs;
    }
    const contentMs = this.filledMs;
    this.clips = [];
    this.filledMs = 0;
    return [{ samples, pieces, contentMs }];
  }
}

const pieceEnd = (p: WindowPiece) => p.windowMs + (p.endMs - p.startMs);

/** Of the given pieces, the one a window time lies in, or the nearest across a gap. */
function pieceAt(pieces: WindowPiece[], candidates: number[], ms: number): number {
  let best = candidates[0]!;
  let distance = Infinity;
  for (const i of candidates) {
    const p = pieces[i]!;
    const d = ms < p.windowMs ? p.windowMs - ms : ms > pieceEnd(p) ? ms - pieceEnd(p) : 0;
    if (d < distance) {
      best = i;
      distance = d;
    }
  }
  return best;
}

/**
 * The pieces a segment covers: those it overlaps for at least half their
 * length, else the one it overlaps most. whisper.cpp 1.5 places segments and
 * words up to a second early across a pause, so a word's own time alone
 * would move the first word of an answer back into the question before it.
 */
function piecesOf(pieces: WindowPiece[], segment: EngineSegment): number[] {
  const overlap = pieces.map((p) =>
    Math.max(0, Math.min(segment.endMs, pieceEnd(p)) - Math.max(segment.startMs, p.windowMs)),
  );
  const covered = pieces.flatMap((p, i) =>
    overlap[i]! * 2 >= p.endMs - p.startMs && overlap[i]! > 0 ? [i] : [],
  );
  if (covered.length > 0) return covered;
  const most = overlap.indexOf(Math.max(...overlap));
  return overlap[most]! > 0
    ? [most]
    : [
        pieceAt(
          pieces,
          pieces.map((_, i) => i),
          (segment.startMs + segment.endMs) / 2,
        ),
      ];
}

/** A window time on the recording's clock, held inside the given piece. */
function toRecording(piece: WindowPiece, ms: number): number {
  const inside = Math.min(Math.max(ms - piece.windowMs, 0), piece.endMs - piece.startMs);
  return piece.startMs + inside;
}

/**
 * Puts segments Whisper gave on a packed window's clock back on the
 * recording's. A segment that covers two regions is split between them by
 * its words' timings, so no segment is ever given times inside a pause it did
 * not cover; every time lands inside the region it was heard in. Text that
 * lies mostly in the silence after the last region was heard in no speech at
 * all, and is dropped.
 */
export function toRecordingTimes(window: PackedWindow, segments: EngineSegment[]): EngineSegment[] {
  const { pieces } = window;
  // Whisper fills that silence with stock phrases ("subscribe to our channel")
  // timed to start just before it ends: most of such a segment lies after it.
  const afterSpeech = (segment: EngineSegment) =>
    (segment.words.length > 0 && segment.words.every((w) => w.startMs >= window.contentMs)) ||
    (segment.endMs - Math.max(segment.startMs, window.contentMs)) * 2 >
      segment.endMs - segment.startMs;
  return segments.flatMap((segment) => {
    if (afterSpeech(segment)) return [];
    const candidates = piecesOf(pieces, segment);
    if (segment.words.length === 0) {
      const piece = pieces[candidates[0]!]!;
      return [
        {
          ...segment,
          startMs: toRecording(piece, segment.startMs),
          endMs: toRecording(piece, segment.endMs),
        },
      ];
    }

    // Words to pieces, never going back: tokens come in the order they were spoken.
    const groups: { piece: number; words: Word[] }[] = [];
    for (const word of segment.words) {
      const at = Math.max(
        pieceAt(pieces, candidates, (word.startMs + word.endMs) / 2),
        groups.at(-1)?.piece ?? 0,
      );
      if (groups.at(-1)?.piece !== at) groups.push({ piece: at, words: [] });
      groups.at(-1)!.words.push(word);
    }

    return groups.map((group, i) => {
      const piece = pieces[group.piece]!;
      const from =
        i === 0 ? Math.min(segment.startMs, group.words[0]!.startMs) : group.words[0]!.startMs;
      const to =
        i === groups.length - 1
          ? Math.max(segment.endMs, group.words.at(-1)!.endMs)
          : group.words.at(-1)!.endMs;
      const words = group.words.map((w) => ({
        ...w,
        startMs: toRecording(piece, w.startMs),
        endMs: toRecording(piece, w.endMs),
      }));
      return {
        startMs: toRecording(piece, from),
        endMs: toRecording(piece, to),
        text: groups.length === 1 ? segment.text : words.map((w) => w.text).join(' '),
        // Not yet: each part of a segment split between two regions keeps the
        // whole segment's average log-probability, not one of its own words.
        avgLogprob: segment.avgLogprob,
        words,
      };
    });
  });
}
