import { serveJob } from '../serveJob.js';
import { ToexError } from '../../main/errors.js';
import { decodeAudio } from './decodeAudio.js';
import { flagsFor, type SegmentFlag } from './guards.js';
import { SileroVad } from './SileroVad.js';
import { SpeechDetector } from './SpeechDetector.js';
import { WindowPacker, toRecordingTimes, type PackedWindow } from './WindowPacker.js';
import { SAMPLE_RATE, WhisperEngine, type EngineSegment } from './WhisperEngine.js';

export interface TranscribeInput {
  audioPath: string;
  modelPath: string;
  /** Silero VAD, checked against the manifest by main before the worker starts. */
  vadModelPath: string;
  language: string;
  threads: number;
  /**
   * What to transcribe, in order: 0 the recording mixed down, or channels
   * 1, 2... one after another. The first resumes at `startMs`.
   */
  tracks: number[];
  /** Where to start: the end of the last window already stored. */
  startMs: number;
  durationMs: number;
}

/** One packed window's segments; main stores them with the checkpoint (the channel, the window's end). */
export interface TranscribePartial {
  channel: number;
  startMs: number;
  endMs: number;
  /** The regions of speech the window held, on the recording's clock. */
  regions: { startMs: number; endMs: number }[];
  language: string;
  segments: (EngineSegment & { flags: SegmentFlag[] })[];
}

/**
 * whisper.cpp 1.5 returns nothing at all for less than a second of audio, so
 * a lone "Yes." or "No." between pauses would vanish; silence after it fixes that.
 */
const MIN_SAMPLES = Math.round(SAMPLE_RATE * 1.2);
function padded(samples: Float32Array): Float32Array {
  if (samples.length >= MIN_SAMPLES) return samples;
  const out = new Float32Array(MIN_SAMPLES);
  out.set(samples);
  return out;
}

/** Progress is sent at least this often while long stretches without speech are read. */
const PROGRESS_EVERY_MS = 30_000;

/**
 * Decodes the recording as a stream, finds its speech with Silero VAD, packs
 * neighbouring regions into 30 s windows and transcribes one window at a
 * time, so memory stays flat whatever the length and every finished window
 * is stored before the next begins. Whisper never hears the pauses, music or
 * noise between regions, where it is known to invent text, and its language
 * detection hears speech only. Channels split apart are each read this way
 * in turn, by the same engine.
 */
serveJob<TranscribeInput, TranscribePartial>(async (input, io) => {
  // The model loads in its own process while the detector reads the first audio.
  const starting = WhisperEngine.start(input.modelPath, {
    threads: input.threads,
    language: input.language,
  });
  starting.then(
    (engine) => io.signal.addEventListener('abort', () => engine.kill()),
    () => {},
  );
  const vad = await SileroVad.load(input.vadModelPath).catch(async (err: unknown) => {
    await starting.then(
      (engine) => engine.kill(),
      () => {},
    );
    throw err;
  });
  const total = input.durationMs * input.tracks.length - input.startMs;
  let doneBefore = 0;
  let windows = 0;

  try {
    for (const [i, channel] of input.tracks.entries()) {
      const startMs = i === 0 ? input.startMs : 0;
      const stage = channel === 0 ? 'transcribing' : `transcribing channel ${channel}`;
      const detector = new SpeechDetector(vad, { startSample: startMs * 16 });
      const packer = new WindowPacker();
      let decodedMs = startMs;
      let reportedMs = startMs;
      const report = () => {
        // Progress counts from where this attempt started; main adds the rest.
        io.progress(doneBefore + Math.min(decodedMs, input.durationMs) - startMs, total, stage);
        reportedMs = decodedMs;
      };

      const transcribe = async (window: PackedWindow) => {
        const engine = await starting;
        const result = await engine.transcribe(padded(window.samples), 0);
        windows += 1;
        io.partial({
          channel,
          startMs: window.pieces[0]!.startMs,
          endMs: window.pieces.at(-1)!.endMs,
          regions: window.pieces.map(({ startMs, endMs }) => ({ startMs, endMs })),
          language: result.language,
          segments: toRecordingTimes(window, result.segments).map((s) => ({
            ...s,
            flags: flagsFor(s),
          })),
        });
        report();
      };

      for await (const samples of decodeAudio(input.audioPath, {
        startMs,
        ...(channel ? { channel } : {}),
        signal: io.signal,
      })) {
        decodedMs += (samples.length / SAMPLE_RATE) * 1000;
        for (const clip of await detector.push(samples)) {
          for (const window of packer.add(clip)) await transcribe(window);
        }
        if (decodedMs - reportedMs >= PROGRESS_EVERY_MS) report();
      }
      for (const clip of detector.end()) {
        for (const window of packer.add(clip)) await transcribe(window);
      }
      for (const window of packer.end()) await transcribe(window);
      doneBefore += input.durationMs - startMs;
    }
  } finally {
    await vad.close();
    await starting.then(
      (engine) => engine.close(),
      () => {},
    );
  }
  io.signal.throwIfAborted();
  // Only an attempt that began at the first track's start has heard it all.
  if (windows === 0 && input.startMs === 0 && input.tracks[0]! <= 1) {
    throw new ToexError(
      'bad-input',
      'no speech was found in the recording (silence, music or noise only)',
    );
  }
  io.progress(total, total, 'transcribing');
});
