import { describe, expect, it } from 'vitest';

import {
  SpeechRegionFinder,
  type RegionOptions,
} from '../../../workers/transcribe/SpeechRegionFinder.js';

/** Silero judges 512 samples (32 ms) at a time. */
const FRAME_MS = 32;

/** Per-window probabilities built from (ms, probability) pieces. */
function probs(pieces: [number, number][]): number[] {
  return pieces.flatMap(([ms, p]) => Array.from({ length: Math.round(ms / FRAME_MS) }, () => p));
}

function regionsOf(p: number[], options: RegionOptions = {}, feed = 7) {
  const finder = new SpeechRegionFinder(options);
  const out = [];
  for (let i = 0; i < p.length; i += feed) out.push(...finder.push(p.slice(i, i + feed)));
  out.push(...finder.end());
  return out.map((r) => [r.startSample / 16, r.endSample / 16]);
}

describe('SpeechRegionFinder', () => {
  it('finds speech between pauses and pads each region by 300 ms', () => {
    const p = probs([
      [3200, 0.02],
      [1600, 0.9],
      [3200, 0.02],
      [960, 0.8],
      [1600, 0.01],
    ]);
    expect(regionsOf(p)).toEqual([
      [3200 - 300, 4800 + 300],
      [8000 - 300, 8960 + 300],
    ]);
  });

  it('applies hysteresis: a middling probability neither starts speech nor ends it', () => {
    const p = probs([
      [1600, 0.4],
      [640, 0.9],
      [1600, 0.4],
      [640, 0.9],
      [1600, 0.05],
    ]);
    // 0.4 is under the onset (0.5) but over the offset (0.35): one region, from the first 0.9.
    expect(regionsOf(p)).toEqual([[1600 - 300, 4480 + 300]]);
  });

  it('keeps a pause shorter than the minimum silence inside the region', () => {
    const p = probs([
      [1600, 0],
      [960, 0.9],
      [320, 0.1],
      [960, 0.9],
      [1600, 0],
    ]);
    expect(regionsOf(p)).toEqual([[1300, 3840 + 300]]);
    expect(regionsOf(p, { minSilenceMs: 200 })).toEqual([
      [1300, 2560 + 300],
      // The next region's pad stops where this one's ended.
      [2560 + 300, 3840 + 300],
    ]);
  });

  it('drops a click shorter than the minimum speech, and finds nothing in silence', () => {
    expect(
      regionsOf(
        probs([
          [1600, 0],
          [96, 0.99],
          [1600, 0],
        ]),
      ),
    ).toEqual([]);
    expect(regionsOf(probs([[60_000, 0.1]]))).toEqual([]);
  });

  it('cuts long unbroken speech at its least speech-like window, never past the limit', () => {
    // 70 s of speech with a dip to 0.55 at 20 s and one to 0.6 at 45 s.
    const p = probs([
      [19_968, 0.95],
      [32, 0.55],
      [24_992, 0.95],
      [32, 0.6],
      [25_024, 0.95],
    ]);
    const regions = regionsOf(p);
    expect(regions.map(([s]) => s)).toEqual([0, 19_968, 44_992]);
    expect(regions.at(-1)![1]).toBe(70_048);
    for (const [s, e] of regions) expect(e - s).toBeLessThanOrEqual(28_000 + 300);
  });

  it('cuts flat speech with no dip within the limit, and the pieces are contiguous', () => {
    const regions = regionsOf(probs([[64_000, 0.9]]));
    expect(regions.length).toBe(3);
    for (const [s, e] of regions) expect(e - s).toBeLessThanOrEqual(28_000);
    regions.slice(1).forEach(([s], i) => expect(s).toBe(regions[i]![1]));
  });

  it('places regions of a stream that starts part-way at their time in the whole recording', () => {
    const p = probs([
      [1600, 0],
      [960, 0.9],
      [1600, 0],
    ]);
    expect(regionsOf(p, { startSample: 60_000 * 16 })).toEqual([[61_300, 62_860]]);
  });

  it('gives the same regions however the probabilities are fed in', () => {
    const p = probs([
      [1000, 0.1],
      [2500, 0.8],
      [700, 0.2],
      [1500, 0.7],
      [2000, 0.0],
      [40_000, 0.9],
    ]);
    expect(regionsOf(p, {}, 1)).toEqual(regionsOf(p, {}, 5000));
  });

  it('holds memory flat over two hours of probabilities, letting old audio go', () => {
    const finder = new SpeechRegionFinder();
    const hour = (3600 * 1000) / FRAME_MS;
    const block = new Float32Array(1000);
    let regions = 0;
    let maxHeld = 0;
    for (let frame = 0; frame < 2 * hour; frame += block.length) {
      // Speech for 3.2 s every 10 minutes, a low noise floor otherwise.
      for (let i = 0; i < block.length; i++) {
        block[i] = (frame + i) % 18_750 < 100 ? 0.9 : 0.05;
      }
      regions += finder.push(block).length;
      maxHeld = Math.max(maxHeld, (frame + block.length) * 512 - finder.keepFrom());
    }
    regions += finder.end().length;
    expect(regions).toBe(12);
    // Never more than the longest region and its pad behind the stream.
    expect(maxHeld).toBeLessThanOrEqual((28_000 + 300) * 16 + 1000 * 512);
  });
});
