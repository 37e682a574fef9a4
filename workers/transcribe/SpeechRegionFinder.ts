import { VAD_WINDOW } from './SileroVad.js';

/** A stretch of speech, in samples of the 16 kHz recording (end exclusive). */
export interface SpeechRegion {
  startSample: number;
  endSample: number;
}

export interface RegionOptions {
  /** Where the stream starts in the recording, in samples (a resumed job starts part-way). */
  startSample?: number;
  /** A window at or above this probability starts speech, or keeps it going. */
  onset?: number;
  /** Speech ends only where the probability falls below this (hysteresis). */
  offset?: number;
  /** Speech shorter than this (a click, a cough) is dropped. */
  minSpeechMs?: number;
  /** A pause must last this long to end a region; shorter ones stay inside it. */
  minSilenceMs?: number;
  /** Audio kept either side of speech so words are not clipped. */
  padMs?: number;
  /** Longer unbroken speech is cut at its least speech-like window before this. */
  maxSpeechMs?: number;
}

const SAMPLES_PER_MS = 16;

/**
 * Turns Silero's per-window speech probabilities into regions of speech,
 * streamed: it holds only the probabilities of the region still open (at
 * most `maxSpeechMs` of them), so a recording of any length passes through
 * in constant memory. Whisper reads at most 30 s at a time, so speech that
 * goes on longer is cut at its best pause, the window with the lowest
 * probability in the second half of the allowed span, not at a fixed point.
 *
 * Not yet: the thresholds and durations are the same for every recording;
 * nothing tunes them to a quiet phone line or a noisy room.
 */
export class SpeechRegionFinder {
  private readonly base: number;
  private readonly onset: number;
  private readonly offset: number;
  private readonly minSpeech: number;
  private readonly minSilence: number;
  private readonly pad: number;
  private readonly maxSpeech: number;

  private frame = 0;
  /** The first window of the open region, or -1 when none is open. */
  private startFrame = -1;
  private startSample = 0;
  private silenceFrame = -1;
  private probs: number[] = [];
  private lastEnd = 0;

  constructor(options: RegionOptions = {}) {
    const frames = (ms: number) => Math.max(1, Math.round((ms * SAMPLES_PER_MS) / VAD_WINDOW));
    this.base = options.startSample ?? 0;
    this.onset = options.onset ?? 0.5;
    this.offset = options.offset ?? 0.35;
    this.minSpeech = frames(options.minSpeechMs ?? 250);
    this.pad = (options.padMs ?? 300) * SAMPLES_PER_MS;
    // A region cannot close before its trailing pad has been heard.
    this.minSilence = Math.max(
      frames(options.minSilenceMs ?? 500),
      Math.ceil(this.pad / VAD_WINDOW),
    );
    this.maxSpeech = frames(options.maxSpeechMs ?? 28_000);
  }

  /** The earliest sample a region still to come may hold; older audio can be let go. */
  keepFrom(): number {
    if (this.startFrame >= 0) return this.base + this.startSample;
    return this.base + Math.max(this.lastEnd, this.frame * VAD_WINDOW - this.pad);
  }

  /** Feeds the probabilities of the next windows; returns the regions now complete. */
  push(probabilities: ArrayLike<number>): SpeechRegion[] {
    const out: SpeechRegion[] = [];
    for (let i = 0; i < probabilities.length; i++) {
      const region = this.step(probabilities[i]!);
      if (region) out.push(region);
      this.frame += 1;
    }
    return out;
  }

  /** Ends the stream; returns the open region if it holds enough speech. */
  end(): SpeechRegion[] {
    if (this.startFrame < 0) return [];
    const speechEnd = this.silenceFrame >= 0 ? this.silenceFrame : this.frame;
    const region = this.close(speechEnd, this.frame * VAD_WINDOW);
    return region ? [region] : [];
  }

  private step(p: number): SpeechRegion | undefined {
    if (this.startFrame < 0) {
      if (p < this.onset) return undefined;
      this.open(this.frame, Math.max(this.lastEnd, this.frame * VAD_WINDOW - this.pad, 0));
    }
    this.probs.push(p);
    if (p >= this.onset) this.silenceFrame = -1;
    else if (p < this.offset && this.silenceFrame < 0) this.silenceFrame = this.frame;

    if (this.silenceFrame >= 0 && this.frame + 1 - this.silenceFrame >= this.minSilence) {
      return this.close(this.silenceFrame, (this.frame + 1) * VAD_WINDOW);
    }
    if (this.frame + 1 - this.startFrame >= this.maxSpeech) return this.cut();
    return undefined;
  }

  private open(frame: number, startSample: number): void {
    this.startFrame = frame;
    this.startSample = startSample;
    this.silenceFrame = -1;
    this.probs = [];
  }

  /** Closes the open region where its speech ended, padded up to `limit`. */
  private close(speechEndFrame: number, limit: number): SpeechRegion | undefined {
    const startSample = this.startSample;
    const speechFrames = speechEndFrame - this.startFrame;
    this.startFrame = -1;
    this.probs = [];
    if (speechFrames < this.minSpeech) return undefined;
    const endSample = Math.min(speechEndFrame * VAD_WINDOW + this.pad, limit);
    this.lastEnd = endSample;
    return { startSample: this.base + startSample, endSample: this.base + endSample };
  }

  /** Ends the open region at its least speech-like window and opens the next one there. */
  private cut(): SpeechRegion {
    const from = Math.floor(this.probs.length / 2);
    let best = from;
    // The latest of equal lows: flat speech is cut as late as it may be.
    for (let i = from; i < this.probs.length; i++) {
      if (this.probs[i]! <= this.probs[best]!) best = i;
    }
    const cutFrame = this.startFrame + best;
    const region = {
      startSample: this.base + this.startSample,
      endSample: this.base + cutFrame * VAD_WINDOW,
    };
    const rest = this.probs.slice(best);
    const silence = this.silenceFrame >= cutFrame ? this.silenceFrame : -1;
    this.open(cutFrame, cutFrame * VAD_WINDOW);
    this.probs = rest;
    this.silenceFrame = silence;
    this.lastEnd = cutFrame * VAD_WINDOW;
    return region;
  }
}
