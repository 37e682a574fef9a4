import { describe, expect, it } from 'vitest';

import {
  agglomerate,
  clusterSpeakers,
  speakerLetter,
  type VoiceSample,
} from '../../../main/transcription/clusterSpeakers.js';

/** A unit vector leaning towards axis `voice`, nudged by `wobble` along another axis. */
function voice(axis: number, wobble: number, size = 8): Float32Array {
  const v = new Float32Array(size);
  v[axis] = 1;
  v[(axis + 3) % size] = wobble;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const sample = (
  segmentId: number,
  startMs: number,
  embedding: Float32Array | null,
  votes = true,
): VoiceSample => ({ segmentId, startMs, embedding, votes });

describe('clusterSpeakers', () => {
  it('names groups by letter, as spreadsheet columns run', () => {
    expect([0, 1, 25, 26, 27, 51, 52].map(speakerLetter)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
    ]);
  });

  it('joins alike voices until no pair is alike enough, or until the asked-for number is left', () => {
    const vectors = [voice(0, 0.1), voice(1, 0.1), voice(0, 0.3), voice(2, 0), voice(1, 0.2)];
    const sorted = (groups: number[][]) => groups.map((g) => [...g].sort()).sort();
    expect(sorted(agglomerate(vectors, { threshold: 0.8 }))).toEqual([[0, 2], [1, 4], [3]]);
    expect(agglomerate(vectors, { threshold: 0.8, speakers: 2 })).toHaveLength(2);
    expect(sorted(agglomerate(vectors, { threshold: 0.8, speakers: 1 }))).toEqual([
      [0, 1, 2, 3, 4],
    ]);
    expect(agglomerate(vectors, { threshold: 0.8, speakers: 9 })).toHaveLength(5);
  });

  it("labels voices in the order they are first heard, with each segment's similarity to its group", () => {
    const guesses = clusterSpeakers(
      [
        sample(10, 5000, voice(4, 0.1)),
        sample(11, 0, voice(1, 0)),
        sample(12, 9000, voice(1, 0.2)),
        sample(13, 12_000, voice(4, 0)),
      ],
      { threshold: 0.8 },
    );
    expect(guesses.map((g) => [g.segmentId, g.label])).toEqual([
      [11, 'Speaker A'],
      [10, 'Speaker B'],
      [12, 'Speaker A'],
      [13, 'Speaker B'],
    ]);
    for (const g of guesses) {
      expect(g.similarity).toBeGreaterThan(0.97);
      expect(g.similarity).toBeLessThanOrEqual(1.000001);
      expect(g.voted).toBe(true);
    }
  });

  it('gives a short segment no vote: it joins the nearest voice instead of founding its own', () => {
    const between = new Float32Array(8);
    between[0] = 0.75;
    between[1] = 0.66;
    const guesses = clusterSpeakers(
      [
        sample(1, 0, voice(0, 0)),
        sample(2, 1000, voice(1, 0)),
        sample(
          3,
          2000,
          between.map((x) => x / Math.hypot(...between)),
          false,
        ),
      ],
      { threshold: 0.9 },
    );
    expect(guesses.map((g) => [g.segmentId, g.label, g.voted])).toEqual([
      [1, 'Speaker A', true],
      [2, 'Speaker B', true],
      [3, 'Speaker A', false],
    ]);
    // Alone in their groups, the voters have no one to be like; the placed segment has.
    expect(guesses.map((g) => g.similarity)).toEqual([
      null,
      null,
      expect.closeTo(0.75 / Math.hypot(0.75, 0.66), 5),
    ]);
  });

  it('places a segment with no audio of its own with the segment nearest it in time', () => {
    const guesses = clusterSpeakers(
      [sample(1, 0, voice(0, 0)), sample(2, 10_000, voice(1, 0)), sample(3, 9000, null)],
      { threshold: 0.9 },
    );
    expect(guesses.find((g) => g.segmentId === 3)).toEqual({
      segmentId: 3,
      label: 'Speaker B',
      similarity: null,
      voted: false,
    });
  });

  it('lets short segments vote when no segment is long, and suggests nothing without audio', () => {
    const guesses = clusterSpeakers(
      [sample(1, 0, voice(0, 0), false), sample(2, 500, voice(5, 0), false)],
      { threshold: 0.9 },
    );
    expect(guesses.map((g) => g.label)).toEqual(['Speaker A', 'Speaker B']);
    expect(clusterSpeakers([sample(1, 0, null)], { threshold: 0.9 })).toEqual([]);
  });
});
