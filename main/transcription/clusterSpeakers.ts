/** One segment's voice, as the speaker encoder heard it. */
export interface VoiceSample {
  segmentId: number;
  startMs: number;
  /** Unit-length embedding; null when the segment held too little audio to embed. */
  embedding: Float32Array | null;
  /** False for a segment too short to be trusted with a say in how voices are grouped. */
  votes: boolean;
}

export interface SpeakerGuess {
  segmentId: number;
  /** "Speaker A", "Speaker B"... in order of first appearance. */
  label: string;
  /**
   * Cosine similarity to the voice of the rest of its group (1 is identical);
   * null when it had no audio, or is the only segment that formed its group.
   */
  similarity: number | null;
  /** Whether the segment took part in the grouping, or was placed afterwards. */
  voted: boolean;
}

export interface ClusterOptions {
  /** Groups are joined while their average similarity is at least this. */
  threshold: number;
  /** Exactly this many voices (or fewer, when there are fewer samples), instead of the threshold. */
  speakers?: number;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

function sum(vectors: Float32Array[]): Float32Array {
  const total = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i += 1) total[i] += v[i]!;
  return total;
}

function unit(v: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(v, v));
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/** "A".."Z", then "AA", "AB"... like spreadsheet columns. */
export function speakerLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/**
 * Average-linkage agglomerative clustering on cosine similarity: every voice
 * starts alone and the two most alike groups are joined, one pair at a time,
 * until no pair is alike enough (or the asked-for number of voices is left).
 * Returns the groups as lists of indices into `vectors`.
 *
 * Not yet: each join searches every pair again, so the time grows with the
 * cube of the number of segments (18 s for 2,000 segments measured here).
 */
export function agglomerate(vectors: Float32Array[], options: ClusterOptions): number[][] {
  const n = vectors.length;
  const groups: (number[] | null)[] = vectors.map((_, i) => [i]);
  const sim: Float64Array[] = vectors.map((a) => Float64Array.from(vectors, (b) => dot(a, b)));
  let alive = n;
  const target = options.speakers === undefined ? 1 : Math.max(1, options.speakers);

  while (alive > target) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < n; i += 1) {
      if (!groups[i]) continue;
      const row = sim[i]!;
      for (let j = i + 1; j < n; j += 1) {
        if (groups[j] && row[j]! > best) {
          best = row[j]!;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0 || (options.speakers === undefined && best < options.threshold)) break;

    const a = groups[bi]!;
    const b = groups[bj]!;
    for (let k = 0; k < n; k += 1) {
      if (!groups[k] || k === bi || k === bj) continue;
      const joined = (a.length * sim[bi]![k]! + b.length * sim[bj]![k]!) / (a.length + b.length);
      sim[bi]![k] = joined;
      sim[k]![bi] = joined;
    }
    groups[bi] = [...a, ...b];
    groups[bj] = null;
    alive -= 1;
  }
  return groups.filter((g): g is number[] => g !== null);
}

/**
 * Suggests who spoke each segment: the segments that vote are grouped by
 * voice, each other segment joins the group whose voice it is most like, and
 * a segment with no audio of its own takes the group of the nearest segment
 * in time. Only ever a suggestion: an officer decides who is speaking.
 */
export function clusterSpeakers(samples: VoiceSample[], options: ClusterOptions): SpeakerGuess[] {
  const embedded = samples.filter((s) => s.embedding !== null);
  if (embedded.length === 0) return [];
  const voters = embedded.some((s) => s.votes) ? embedded.filter((s) => s.votes) : embedded;

  const groups = agglomerate(
    voters.map((s) => s.embedding!),
    options,
  ).map((members) => members.map((i) => voters[i]!));
  const sums = groups.map((g) => sum(g.map((s) => s.embedding!)));
  const voices = sums.map(unit);
  const groupOf = new Map<number, number>();
  groups.forEach((g, index) => g.forEach((s) => groupOf.set(s.segmentId, index)));

  for (const s of embedded) {
    if (groupOf.has(s.segmentId)) continue;
    let best = 0;
    voices.forEach((v, index) => {
      if (dot(v, s.embedding!) > dot(voices[best]!, s.embedding!)) best = index;
    });
    groupOf.set(s.segmentId, best);
  }

  const byTime = [...samples].sort((a, b) => a.startMs - b.startMs || a.segmentId - b.segmentId);
  const placed = byTime.filter((s) => groupOf.has(s.segmentId));
  for (const s of byTime) {
    if (groupOf.has(s.segmentId)) continue;
    const nearest = placed.reduce((a, b) =>
      Math.abs(b.startMs - s.startMs) < Math.abs(a.startMs - s.startMs) ? b : a,
    );
    groupOf.set(s.segmentId, groupOf.get(nearest.segmentId)!);
  }

  // Letters follow the order voices are first heard, so "Speaker A" speaks first.
  const letters = new Map<number, string>();
  for (const s of byTime) {
    const g = groupOf.get(s.segmentId)!;
    if (!letters.has(g)) letters.set(g, `Speaker ${speakerLetter(letters.size)}`);
  }
  const voting = new Set(voters.map((s) => s.segmentId));
  // A voter is measured against the rest of its group, not a voice it is part of itself.
  const similarity = (s: VoiceSample, g: number): number | null => {
    if (!s.embedding) return null;
    if (!voting.has(s.segmentId)) return dot(voices[g]!, s.embedding);
    if (groups[g]!.length === 1) return null;
    const rest = sums[g]!.map((x, i) => x - s.embedding![i]!);
    return dot(unit(rest), s.embedding);
  };
  return byTime.map((s) => {
    const g = groupOf.get(s.segmentId)!;
    return {
      segmentId: s.segmentId,
      label: letters.get(g)!,
      similarity: similarity(s, g),
      voted: voting.has(s.segmentId),
    };
  });
}
