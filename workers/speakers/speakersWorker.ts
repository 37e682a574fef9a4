import { ToexError } from '../../main/errors.js';
import { serveJob } from '../serveJob.js';
import { decodeAudio } from '../transcribe/decodeAudio.js';
import { SAMPLE_RATE } from '../transcribe/WhisperEngine.js';
import { SpeakerEncoder } from './SpeakerEncoder.js';

/** A stretch of the recording to embed: one transcript segment. */
export interface SpanToEmbed {
  segmentId: number;
  startMs: number;
  endMs: number;
}

export interface SpeakersInput {
  audioPath: string;
  modelPath: string;
  threads: number;
  /** Per track (0 the recording mixed down, 1, 2... a channel), the segments heard on it. */
  tracks: { channel: number; spans: SpanToEmbed[] }[];
}

/** One segment's embedding (256 numbers), or null when it held too little audio. */
export interface SpeakersPartial {
  segmentId: number;
  embedding: number[] | null;
}

/** Below this a span is mostly the encoder's own padding: its voice is not measured. */
export const MIN_EMBED_MS = 300;

/** How far short of a segment's end the audio may stop (rounding of times) before it is damage. */
const SHORT_BY_MS = 100;

const toSample = (ms: number) => Math.round((ms * SAMPLE_RATE) / 1000);

/**
 * Decodes each track once, as a stream from its first segment on, and cuts
 * every segment's span out as the audio passes, so memory holds only the
 * audio between the earliest unfinished segment and the decoder.
 */
async function* spansOf(
  input: SpeakersInput,
  track: SpeakersInput['tracks'][number],
  signal: AbortSignal,
): AsyncGenerator<{ span: SpanToEmbed; samples: Float32Array }> {
  const spans = [...track.spans].sort((a, b) => a.startMs - b.startMs);
  if (spans.length === 0) return;
  // `base` is the sample `buffer[0]` was at in the recording.
  let base = toSample(spans[0]!.startMs);
  let buffer = new Float32Array(0);
  let next = 0;
  const wanted = () => (next < spans.length ? toSample(spans[next]!.startMs) : Infinity);

  const append = (chunk: Float32Array) => {
    const skip = buffer.length === 0 ? Math.min(Math.max(0, wanted() - base), chunk.length) : 0;
    base += skip;
    const grown = new Float32Array(buffer.length + chunk.length - skip);
    grown.set(buffer);
    grown.set(chunk.subarray(skip), buffer.length);
    buffer = grown;
  };

  const ready = function* (end: boolean) {
    while (next < spans.length) {
      const span = spans[next]!;
      const to = toSample(span.endMs) - base;
      if (!end && buffer.length < to) return;
      if (end && buffer.length < to - toSample(SHORT_BY_MS)) {
        throw new ToexError(
          'bad-input',
          `the recording ends before segment ${span.segmentId} does: it is damaged, or not the recording that was transcribed`,
        );
      }
      const from = Math.max(0, toSample(span.startMs) - base);
      yield { span, samples: buffer.slice(from, Math.max(from, Math.min(to, buffer.length))) };
      next += 1;
      const drop = Math.min(Math.max(0, wanted() - base), buffer.length);
      buffer = buffer.slice(drop);
      base += drop;
    }
  };

  for await (const chunk of decodeAudio(input.audioPath, {
    startMs: spans[0]!.startMs,
    ...(track.channel ? { channel: track.channel } : {}),
    signal,
  })) {
    append(chunk);
    yield* ready(false);
    // The rest of the recording holds no segment of this track.
    if (next === spans.length) return;
  }
  yield* ready(true);
}

serveJob<SpeakersInput, SpeakersPartial>(async (input, io) => {
  const encoder = await SpeakerEncoder.load(input.modelPath, input.threads);
  const total = input.tracks.reduce((n, t) => n + t.spans.length, 0);
  let done = 0;
  try {
    for (const track of input.tracks) {
      for await (const { span, samples } of spansOf(input, track, io.signal)) {
        const long = (samples.length / SAMPLE_RATE) * 1000 >= MIN_EMBED_MS;
        const embedding = long ? await encoder.embed(samples) : null;
        io.partial({ segmentId: span.segmentId, embedding: embedding && Array.from(embedding) });
        done += 1;
        io.progress(done, total, 'listening for voices');
      }
    }
  } finally {
    await encoder.close();
  }
  io.signal.throwIfAborted();
});
