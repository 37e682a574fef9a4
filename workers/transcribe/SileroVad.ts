import { InferenceSession, Tensor } from 'onnxruntime-node';

import { ToexError } from '../../main/errors.js';
import { SAMPLE_RATE } from './WhisperEngine.js';

/** Samples Silero VAD v5 judges at a time at 16 kHz (32 ms). */
export const VAD_WINDOW = 512;
/** Samples of the previous window the v5 graph reads in front of each new one. */
const CONTEXT = 64;
const STATE_SIZE = 2 * 1 * 128;

/**
 * Silero VAD v5 (silero_vad.onnx) run with onnxruntime on the CPU, as a
 * stream: the recurrent state and the 64 samples of context are carried from
 * one 512-sample window to the next, so a window's speech probability depends
 * on what came before it, as the model was trained. `reset` starts a new,
 * independent stream.
 *
 * Not yet: Silero hears voices, not only speech, so singing in music passes
 * as speech and reaches Whisper.
 */
export class SileroVad {
  private readonly sr = new Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
  private state = new Float32Array(STATE_SIZE);
  private readonly input = new Float32Array(CONTEXT + VAD_WINDOW);
  private pending = new Float32Array(VAD_WINDOW);
  private pendingLength = 0;

  private constructor(private readonly session: InferenceSession) {}

  static async load(path: string): Promise<SileroVad> {
    let session: InferenceSession;
    try {
      // One thread: the detector is a small fraction of the work, and the
      // cores belong to whisper.cpp.
      session = await InferenceSession.create(path, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
      });
    } catch {
      throw new ToexError(
        'engine',
        'the speech detector model could not be loaded (run bin/setup to install it)',
      );
    }
    const names = [...session.inputNames].sort().join(',');
    if (names !== 'input,sr,state' || !session.outputNames.includes('stateN')) {
      throw new ToexError('engine', 'the speech detector model is not Silero VAD v5');
    }
    return new SileroVad(session);
  }

  /** Forgets the stream so far: the next samples are judged as a new recording. */
  reset(): void {
    this.state = new Float32Array(STATE_SIZE);
    this.input.fill(0);
    this.pendingLength = 0;
  }

  /**
   * Feeds samples; returns the speech probability of each 512-sample window
   * completed by them, in order. A part window waits for the next call.
   */
  async push(samples: Float32Array): Promise<Float32Array> {
    const windows = Math.floor((this.pendingLength + samples.length) / VAD_WINDOW);
    const out = new Float32Array(windows);
    let at = 0;
    for (let w = 0; w < windows; w++) {
      const need = VAD_WINDOW - this.pendingLength;
      this.pending.set(samples.subarray(at, at + need), this.pendingLength);
      at += need;
      this.pendingLength = 0;
      out[w] = await this.judge(this.pending);
    }
    this.pending.set(samples.subarray(at), this.pendingLength);
    this.pendingLength += samples.length - at;
    return out;
  }

  private async judge(window: Float32Array): Promise<number> {
    this.input.copyWithin(0, VAD_WINDOW);
    this.input.set(window, CONTEXT);
    const result = await this.session.run({
      input: new Tensor('float32', this.input, [1, CONTEXT + VAD_WINDOW]),
      state: new Tensor('float32', this.state, [2, 1, 128]),
      sr: this.sr,
    });
    this.state = Float32Array.from(result.stateN!.data as Float32Array);
    return (result.output!.data as Float32Array)[0]!;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
