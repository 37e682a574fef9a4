import { describe, expect, it } from 'vitest';

import { SpeechChunker } from '../../../workers/transcribe/speechChunks.js';

const RATE = 16_000;

/** A recording built from (seconds, loud?) pieces: a 200 Hz tone stands in for speech. */
function signal(pieces: [number, boolean][]): Float32Array {
  const total = pieces.reduce((n, [s]) => n + Math.round(s * RATE), 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const [seconds, loud] of pieces) {
    const n = Math.round(seconds * RATE);
    for (let i = 0; i < n; i++) {
      out[at + i] = loud
        ? 0.3 * Math.sin((2 * Math.PI * 200 * (at + i)) / RATE)
        : 0.0005 * Math.sin(i);
    }
    at += n;
  }
  return out;
}

function chunksOf(samples: Float32Array, feed = 4000, startMs = 0) {
  const chunker = new SpeechChunker({ startMs });
  const chunks = [];
  for (let i = 0; i < samples.length; i += feed) {
    chunks.push(...chunker.push(samples.subarray(i, i + feed)));
  }
  chunks.push(...chunker.end());
  return chunks.map((c) => ({ startMs: c.startMs, endMs: c.endMs, samples: c.samples.length }));
}

describe('speechChunks', () => {
  it('cuts speech at pauses, skips the silence, and pads each chunk by 300 ms', () => {
    const chunks = chunksOf(
      signal([
        [2, false],
        [3, true],
        [4, false],
        [2, true],
        [1, false],
      ]),
    );
    expect(chunks.map(({ startMs, endMs }) => ({ startMs, endMs }))).toEqual([
      { startMs: 1680, endMs: 5310 },
      { startMs: 8700, endMs: 11310 },
    ]);
    for (const c of chunks) expect(c.samples).toBe(((c.endMs - c.startMs) / 1000) * RATE);
  });

  it('gives nothing for silence, and nothing for a click too short to be speech', () => {
    expect(chunksOf(signal([[10, false]]))).toEqual([]);
    expect(
      chunksOf(
        signal([
          [2, false],
          [0.1, true],
          [2, false],
        ]),
      ),
    ).toEqual([]);
  });

  it('never lets a chunk grow past 30 seconds of unbroken speech', () => {
    const chunks = chunksOf(signal([[70, true]]));
    // The last 10 ms are less than a 30 ms frame and are not sent on.
    expect(chunks.map((c) => c.endMs - c.startMs)).toEqual([30_000, 30_000, 9_990]);
    expect(chunks[1]!.startMs).toBe(chunks[0]!.endMs);
  });

  it('places chunks of a stream that starts part-way at their time in the whole recording', () => {
    const [chunk] = chunksOf(
      signal([
        [1, false],
        [2, true],
        [2, false],
      ]),
      4000,
      60_000,
    );
    expect(chunk).toMatchObject({ startMs: 60_690, endMs: 63_300 });
  });

  it('gives the same chunks however the samples are fed in', () => {
    const samples = signal([
      [1, false],
      [2.5, true],
      [1.5, false],
      [1, true],
      [2, false],
    ]);
    expect(chunksOf(samples, 100)).toEqual(chunksOf(samples, 48_000));
  });
});
