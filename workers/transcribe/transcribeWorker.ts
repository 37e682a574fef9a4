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
  /** Where to start: the end of the last window already stored. */
  startMs: number;
  durationMs: number;
}

/** One packed window's segments; main stores them with the checkpoint (the window's end). */
export interface TranscribePartial {
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
 * detection hears speech only.
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
  const detector = new SpeechDetector(vad, { startSample: input.startMs * 16 });
  const packer = new WindowPacker();
  let decodedMs = input.startMs;
  let reportedMs = input.startMs;
  let windows = 0;
  const report = () => {
    // Progress counts from where this attempt started; main adds the rest.
    io.progress(
      Math.min(decodedMs, input.durationMs) - input.startMs,
      input.durationMs - input.startMs,
      'transcribing',
    );
    reportedMs = decodedMs;
  };

  const transcribe = async (window: PackedWindow) => {
    const engine = await starting;
    const result = await engine.transcribe(padded(window.samples), 0);
    windows += 1;
    io.partial({
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

  try {
    for await (const samples of decodeAudio(input.audioPath, {
      startMs: input.startMs,
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
  } finally {
    await vad.close();
    await starting.then(
      (engine) => engine.close(),
      () => {},
    );
  }
  io.signal.throwIfAborted();
  if (windows === 0 && input.startMs === 0) {
    throw new ToexError(
      'bad-input',
      'no speech was found in the recording (silence, music or noise only)',
    );
  }
  io.progress(input.durationMs - input.startMs, input.durationMs - input.startMs, 'transcribing');
});
