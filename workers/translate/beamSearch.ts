/** One candidate output: its tokens (ending with the end token once finished) and their log-probability. */
export interface Hypothesis {
  tokens: number[];
  logProb: number;
  finished: boolean;
}

/** The `k` best next tokens of each row, best first: `rows x k` log-probabilities and ids. */
export interface StepResult {
  logProbs: Float32Array;
  ids: BigInt64Array;
}

/**
 * One decoder step for a set of rows: row i continues with token
 * `tokens[i]`, belongs to sentence `sentenceOf[i]` and extends the cache row
 * `from[i]` of the step before (ignored at position 0). Resolves to each
 * row's `k` best next tokens.
 */
export type DecodeStep = (
  tokens: number[],
  sentenceOf: number[],
  from: number[],
  position: number,
  k: number,
) => Promise<StepResult>;

export interface SearchOptions {
  sentences: number;
  /** 1: greedy. */
  beamSize: number;
  /** The token decoding starts from, and the one that ends a sentence. */
  start: number;
  end: number;
  /** Per sentence, the most tokens it may have; one that reaches it is returned unfinished. */
  limits: number[];
}

interface Live extends Hypothesis {
  /** Its parent's row in the step that proposed it: where the next step finds its cache. */
  row: number;
}

/** Ranks finished outputs by log-probability per token, so that long ones are not unfairly last. */
const normalised = (h: Hypothesis) => h.logProb / Math.max(1, h.tokens.length);

/**
 * Beam search over a step-wise decoder, every sentence of a batch at once.
 * Each sentence keeps `beamSize` live hypotheses; at each step every live
 * one proposes its best continuations, the best `beamSize` that do not end
 * stay live and those that end are set aside. A sentence is done when it
 * has `beamSize` finished outputs or reaches its limit; the best finished
 * one (by log-probability per token) is its result. With a beam of 1 this is
 * greedy decoding.
 */
export async function beamSearch(step: DecodeStep, options: SearchOptions): Promise<Hypothesis[]> {
  const { sentences, beamSize, start, end, limits } = options;
  const live: Live[][] = Array.from({ length: sentences }, () => [
    { tokens: [], logProb: 0, finished: false, row: 0 },
  ]);
  const done: Hypothesis[][] = Array.from({ length: sentences }, () => []);
  const open = new Set(Array.from({ length: sentences }, (_, s) => s));

  for (let position = 0; open.size > 0; position++) {
    const order = [...open].flatMap((s) => live[s]!.map((h) => ({ s, h })));
    // Twice the beam: a beam's worth may end the sentence and still leave a full beam live.
    const k = 2 * beamSize;
    const best = await step(
      order.map(({ h }) => h.tokens.at(-1) ?? start),
      order.map(({ s }) => s),
      order.map(({ h }) => h.row),
      position,
      k,
    );

    let row = 0;
    for (const s of [...open]) {
      const candidates = live[s]!.flatMap((h, i) =>
        Array.from({ length: k }, (_, j) => ({
          parent: h,
          parentRow: row + i,
          token: Number(best.ids[(row + i) * k + j]),
          logProb: h.logProb + best.logProbs[(row + i) * k + j]!,
        })),
      ).sort((a, b) => b.logProb - a.logProb);
      row += live[s]!.length;

      const next: Live[] = [];
      for (const c of candidates) {
        if (next.length === beamSize || done[s]!.length === beamSize) break;
        const tokens = [...c.parent.tokens, c.token];
        if (c.token === end) done[s]!.push({ tokens, logProb: c.logProb, finished: true });
        else next.push({ tokens, logProb: c.logProb, finished: false, row: c.parentRow });
      }
      live[s] = next;
      const full = next.length > 0 && next[0]!.tokens.length >= limits[s]!;
      if (done[s]!.length >= beamSize || next.length === 0 || full) open.delete(s);
    }
  }

  return done.map((finished, s) => {
    const pool = finished.length > 0 ? finished : live[s]!;
    return pool.reduce((a, b) => (normalised(b) > normalised(a) ? b : a));
  });
}
