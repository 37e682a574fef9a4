export interface SpeechChunk {
  startMs: number;
  endMs: number;
  samples: Float32Array;
}

export interface ChunkerOptions {
  /** Where the stream starts in the recording (a resumed job starts part-way). */
  startMs?: number;
  /** Frames quieter than this (dBFS) are not speech. */
  thresholdDb?: number;
  /** A pause at least this long ends a chunk. */
  pauseMs?: number;
  /** Whisper reads 30 s at a time; a chunk never grows past it. */
  maxChunkMs?: number;
  /** Speech this short (a click, a cough) is not worth a chunk. */
  minSpeechMs?: number;
  /** Audio kept either side of speech so words are not clipped. */
  padMs?: number;
}

const FRAME = 480; // 30 ms of 16 kHz audio

function frameDb(samples: Float32Array, from: number): number {
  let sum = 0;
  for (let i = from; i < from + FRAME; i++) sum += samples[i]! * samples[i]!;
  return 10 * Math.log10(sum / FRAME + 1e-12);
}

/**
 * Splits a stream of samples into chunks of speech separated by pauses,
 * skipping what is quiet, so whisper.cpp never sees long silence (where it
 * is known to invent text) and each chunk is a natural unit to checkpoint.
 *
 * Not yet: speech is told from silence by loudness alone, so music or loud
 * noise is passed on as speech; a model-based detector would tell them apart.
 * Not yet: thirty seconds of unbroken speech is cut at that point, not at a pause.
 */
export class SpeechChunker {
  private readonly thresholdDb: number;
  private readonly pauseFrames: number;
  private readonly maxFrames: number;
  private readonly minSpeechFrames: number;
  private readonly padFrames: number;

  private pending = new Float32Array(0);
  private frameIndex: number;
  private recent: Float32Array[] = [];
  private chunk: Float32Array[] = [];
  private chunkStartFrame = 0;
  private lastSpeechFrame = -1;
  private speechFrames = 0;

  constructor(options: ChunkerOptions = {}) {
    const frames = (ms: number) => Math.round(ms / 30);
    this.thresholdDb = options.thresholdDb ?? -45;
    this.pauseFrames = frames(options.pauseMs ?? 1000);
    this.maxFrames = frames(options.maxChunkMs ?? 30_000);
    this.minSpeechFrames = frames(options.minSpeechMs ?? 240);
    this.padFrames = frames(options.padMs ?? 300);
    this.frameIndex = Math.floor((options.startMs ?? 0) / 30);
  }

  /** Feeds samples; returns the chunks that are now complete. */
  push(samples: Float32Array): SpeechChunk[] {
    const all = new Float32Array(this.pending.length + samples.length);
    all.set(this.pending);
    all.set(samples, this.pending.length);
    const out: SpeechChunk[] = [];
    let at = 0;
    for (; at + FRAME <= all.length; at += FRAME) {
      const frame = all.slice(at, at + FRAME);
      const chunk = this.frame(frame, frameDb(all, at) >= this.thresholdDb);
      if (chunk) out.push(chunk);
      this.frameIndex += 1;
    }
    this.pending = all.slice(at);
    return out;
  }

  /** Ends the stream; returns the last chunk if it holds speech. */
  end(): SpeechChunk[] {
    const last = this.close(this.lastSpeechFrame + 1);
    return last ? [last] : [];
  }

  private frame(frame: Float32Array, speech: boolean): SpeechChunk | undefined {
    if (this.chunk.length === 0) {
      if (!speech) {
        this.recent.push(frame);
        if (this.recent.length > this.padFrames) this.recent.shift();
        return undefined;
      }
      this.chunk = [...this.recent, frame];
      this.chunkStartFrame = this.frameIndex - this.recent.length;
      this.recent = [];
      this.speechFrames = 0;
    } else {
      this.chunk.push(frame);
    }
    if (speech) {
      this.lastSpeechFrame = this.frameIndex;
      this.speechFrames += 1;
    }
    if (this.frameIndex - this.lastSpeechFrame >= this.pauseFrames) {
      return this.close(Math.min(this.frameIndex + 1, this.lastSpeechFrame + 1 + this.padFrames));
    }
    if (this.chunk.length >= this.maxFrames) return this.close(this.frameIndex + 1);
    return undefined;
  }

  /** Closes the open chunk at `endFrame` (exclusive). */
  private close(endFrame: number): SpeechChunk | undefined {
    if (this.chunk.length === 0) return undefined;
    const frames = this.chunk.slice(0, Math.max(0, endFrame - this.chunkStartFrame));
    const hadSpeech = this.speechFrames >= this.minSpeechFrames;
    const startFrame = this.chunkStartFrame;
    this.chunk = [];
    this.speechFrames = 0;
    if (!hadSpeech || frames.length === 0) return undefined;
    const samples = new Float32Array(frames.length * FRAME);
    frames.forEach((f, i) => samples.set(f, i * FRAME));
    return { startMs: startFrame * 30, endMs: (startFrame + frames.length) * 30, samples };
  }
}
