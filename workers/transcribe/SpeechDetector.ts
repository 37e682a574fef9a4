import type { SileroVad } from './SileroVad.js';
import { SpeechRegionFinder, type RegionOptions, type SpeechRegion } from './SpeechRegionFinder.js';

/** A region of speech with its audio, and its place in the recording in ms. */
export interface SpeechClip extends SpeechRegion {
  startMs: number;
  endMs: number;
  samples: Float32Array;
}

/**
 * Finds the speech in a stream of 16 kHz samples with Silero VAD and hands
 * each region on with its audio. Only the audio a region still to come may
 * need is kept (the open region, or the pad in front of the next one), so
 * memory stays flat whatever the length of the recording.
 */
export class SpeechDetector {
  private readonly finder: SpeechRegionFinder;
  /** Audio not yet let go, as the pieces it arrived in, from `tapeStart` on. */
  private tape: Float32Array[] = [];
  private tapeStart: number;

  constructor(
    private readonly vad: SileroVad,
    options: RegionOptions = {},
  ) {
    vad.reset();
    this.finder = new SpeechRegionFinder(options);
    this.tapeStart = options.startSample ?? 0;
  }

  async push(samples: Float32Array): Promise<SpeechClip[]> {
    this.tape.push(samples);
    const regions = this.finder.push(await this.vad.push(samples));
    const clips = regions.map((r) => this.clip(r));
    this.trim(this.finder.keepFrom());
    return clips;
  }

  end(): SpeechClip[] {
    return this.finder.end().map((r) => this.clip(r));
  }

  private clip(region: SpeechRegion): SpeechClip {
    const samples = new Float32Array(region.endSample - region.startSample);
    let at = this.tapeStart;
    for (const piece of this.tape) {
      const from = Math.max(region.startSample, at);
      const to = Math.min(region.endSample, at + piece.length);
      if (to > from) samples.set(piece.subarray(from - at, to - at), from - region.startSample);
      at += piece.length;
    }
    // 16 samples to the ms: region edges fall on whole ms, so times are exact.
    return { ...region, startMs: region.startSample / 16, endMs: region.endSample / 16, samples };
  }

  private trim(keepFrom: number): void {
    while (this.tape.length > 0 && this.tapeStart + this.tape[0]!.length <= keepFrom) {
      this.tapeStart += this.tape.shift()!.length;
    }
  }
}
