import { serveJob } from '../serveJob.js';
import { ToexError } from '../../main/errors.js';
import { decodeAudio } from './decodeAudio.js';
import { flagsFor, type SegmentFlag } from './guards.js';
import { SpeechChunker } from './speechChunks.js';
import { SAMPLE_RATE, WhisperEngine, type EngineSegment } from './WhisperEngine.js';

export interface TranscribeInput {
  audioPath: string;
  modelPath: string;
  language: string;
  threads: number;
  /**
   * What to transcribe, in order: 0 the recording mixed down, or channels
   * 1, 2... one after another. The first resumes at `startMs`.
   */
  tracks: number[];
  /** Where to start: the end of the last chunk already stored. */
  startMs: number;
  durationMs: number;
}

/** One chunk's segments; main stores them with the checkpoint (the channel, the chunk's end). */
export interface TranscribePartial {
  channel: number;
  startMs: number;
  endMs: number;
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

/**
 * Decodes the recording as a stream, cuts it into chunks of speech and
 * transcribes them one at a time, so memory stays flat whatever the length
 * and every finished chunk is stored before the next begins.
 */
serveJob<TranscribeInput, TranscribePartial>(async (input, io) => {
  const engine = await WhisperEngine.start(input.modelPath, {
    threads: input.threads,
    language: input.language,
  });
  io.signal.addEventListener('abort', () => engine.kill());
  const total = input.durationMs * input.tracks.length - input.startMs;
  let chunks = 0;
  let channel = 0;
  let doneBefore = 0;

  const transcribe = async (chunk: { startMs: number; endMs: number; samples: Float32Array }) => {
    const result = await engine.transcribe(padded(chunk.samples), chunk.startMs);
    chunks += 1;
    // Whisper pads each chunk to 30 s and can place an end past the audio it
    // was given; times are held to the chunk so none overlaps the next.
    const clamp = (ms: number) => Math.min(Math.max(ms, chunk.startMs), chunk.endMs);
    io.partial({
      channel,
      startMs: chunk.startMs,
      endMs: chunk.endMs,
      language: result.language,
      segments: result.segments.map((s) => {
        const held = {
          ...s,
          startMs: clamp(s.startMs),
          endMs: clamp(s.endMs),
          words: s.words.map((w) => ({ ...w, startMs: clamp(w.startMs), endMs: clamp(w.endMs) })),
        };
        return { ...held, flags: flagsFor(held) };
      }),
    });
  };

  const stage = (track: number) => (track === 0 ? 'transcribing' : `transcribing channel ${track}`);

  try {
    for (const [i, track] of input.tracks.entries()) {
      channel = track;
      const startMs = i === 0 ? input.startMs : 0;
      const chunker = new SpeechChunker({ startMs });
      let decodedMs = startMs;
      for await (const samples of decodeAudio(input.audioPath, {
        startMs,
        ...(track ? { channel: track } : {}),
        signal: io.signal,
      })) {
        decodedMs += (samples.length / SAMPLE_RATE) * 1000;
        for (const chunk of chunker.push(samples)) {
          await transcribe(chunk);
          // Progress counts from where this attempt started; main adds the rest.
          io.progress(
            doneBefore + Math.min(decodedMs, input.durationMs) - startMs,
            total,
            stage(track),
          );
        }
      }
      for (const chunk of chunker.end()) await transcribe(chunk);
      doneBefore += input.durationMs - startMs;
    }
  } finally {
    engine.close();
  }
  io.signal.throwIfAborted();
  // Only an attempt that began at the first track's start has heard it all.
  if (chunks === 0 && input.startMs === 0 && input.tracks[0]! <= 1) {
    throw new ToexError(
      'bad-input',
      'no speech was found in the recording (silent, or too quiet to transcribe)',
    );
  }
  io.progress(total, total, 'transcribing');
});
