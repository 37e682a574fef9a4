import * as ort from 'onnxruntime-node';

import { ToexError } from '../../main/errors.js';
import { HOP, MEL_CHANNELS, MEL_SAMPLE_RATE, melSpectrogram } from './melSpectrogram.js';

export const EMBEDDING_SIZE = 256;
/** Frames in one partial utterance (1.6 s), as the encoder was trained. */
export const PARTIAL_FRAMES = 160;
/** Partials per second of speech, and how much of a last partial must be speech to count. */
const PARTIAL_RATE = 1.3;
const MIN_COVERAGE = 0.75;
/** Quiet speech is raised to this loudness (never lowered), as in training. */
const TARGET_DBFS = -30;

/** Where each partial starts, in frames: Resemblyzer's compute_partial_slices. */
export function partialStarts(samples: number): number[] {
  const frames = Math.ceil((samples + 1) / HOP);
  const step = Math.round(MEL_SAMPLE_RATE / PARTIAL_RATE / HOP);
  const steps = Math.max(1, frames - PARTIAL_FRAMES + step + 1);
  const starts: number[] = [];
  for (let i = 0; i < steps; i += step) starts.push(i);
  const last = starts[starts.length - 1]! * HOP;
  const coverage = (samples - last) / (PARTIAL_FRAMES * HOP);
  if (coverage < MIN_COVERAGE && starts.length > 1) starts.pop();
  return starts;
}

/**
 * Raises quiet audio to TARGET_DBFS; silence and loud audio are left as they are.
 * Not yet: silence inside a segment is not trimmed before embedding, as
 * Resemblyzer's own preprocessing does with webrtcvad, so long pauses and
 * noise weigh on a segment's voice, and a segment Whisper invented over noise
 * can come out as a speaker of its own.
 */
export function normaliseVolume(samples: Float32Array): Float32Array {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  if (rms === 0) return samples;
  const change = TARGET_DBFS - 20 * Math.log10(rms);
  if (change <= 0) return samples;
  const gain = 10 ** (change / 20);
  return samples.map((s) => s * gain);
}

function unit(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/**
 * The GE2E speaker encoder run by onnxruntime on the CPU. An utterance is
 * cut into overlapping 1.6 s partials; its embedding is the unit-length mean
 * of theirs, so two stretches of one voice point the same way.
 */
export class SpeakerEncoder {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(modelPath: string, threads: number): Promise<SpeakerEncoder> {
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
      });
      return new SpeakerEncoder(session);
    } catch (err) {
      throw new ToexError(
        'engine',
        `onnxruntime could not load the speaker model (${(err as Error).message.split('\n')[0]})`,
      );
    }
  }

  /** Raw model call: mels [batch, frames, 40] to unit embeddings [batch, 256]. */
  async run(mels: Float32Array, batch: number, frames: number): Promise<Float32Array> {
    const input = new ort.Tensor('float32', mels, [batch, frames, MEL_CHANNELS]);
    const { embedding } = await this.session.run({ mels: input });
    return embedding!.data as Float32Array;
  }

  /**
   * One utterance's embedding, from its 16 kHz mono samples; null when no
   * partial gives a voice (the network's output is all zero, as for silence).
   */
  async embed(samples: Float32Array): Promise<Float32Array | null> {
    const starts = partialStarts(samples.length);
    const needed = (starts[starts.length - 1]! + PARTIAL_FRAMES) * HOP;
    const wav = new Float32Array(Math.max(needed, samples.length));
    wav.set(normaliseVolume(samples));
    const mel = melSpectrogram(wav);
    const batch = new Float32Array(starts.length * PARTIAL_FRAMES * MEL_CHANNELS);
    starts.forEach((start, i) => {
      const from = start * MEL_CHANNELS;
      batch.set(
        mel.subarray(from, from + PARTIAL_FRAMES * MEL_CHANNELS),
        (i * batch.length) / starts.length,
      );
    });
    const partials = await this.run(batch, starts.length, PARTIAL_FRAMES);
    const mean = new Float32Array(EMBEDDING_SIZE);
    let voiced = 0;
    for (let p = 0; p < starts.length; p += 1) {
      const partial = partials.subarray(p * EMBEDDING_SIZE, (p + 1) * EMBEDDING_SIZE);
      // A zero vector scaled to unit length comes out as NaN: that partial heard no voice.
      if (!partial.every(Number.isFinite)) continue;
      voiced += 1;
      for (let j = 0; j < EMBEDDING_SIZE; j += 1) mean[j] += partial[j]!;
    }
    return voiced ? unit(mean) : null;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
