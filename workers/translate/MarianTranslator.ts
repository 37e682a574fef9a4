import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { SentencePieceProcessor } from '@agnai/sentencepiece-js';
import * as ort from 'onnxruntime-node';

import { beamSearch, type DecodeStep, type Hypothesis } from './beamSearch.js';

/** Marian's end of sentence, id 0 in every OPUS-MT vocabulary. */
const EOS = 0;
const UNK_PIECE = '<unk>';
/** Past this many source pieces a text is cut (and flagged): the position table ends at 2,048. */
export const MAX_SOURCE_PIECES = 256;

export interface TranslateOptions {
  /** 1 for greedy decoding; 4 is CTranslate2's and Marian's usual beam. */
  beamSize: number;
  /** At most this many target pieces, whatever the source's length (CTranslate2's default is 256). */
  maxPieces?: number;
}

export interface Translation {
  text: string;
  pieces: string[];
  /**
   * How sure the model was: the geometric mean of the probabilities it gave
   * its own pieces (end of sentence included), 0 to 1. A reviewer sorts by it.
   */
  confidence: number;
  /** The source was cut at MAX_SOURCE_PIECES, or the output at its limit. */
  truncated: boolean;
}

interface ModelShape {
  layers: number;
  heads: number;
  headDim: number;
  /** The vocabulary's size; its own id is the zero embedding decoding starts from. */
  start: number;
}

/**
 * An OPUS-MT (Marian) model as ct2ToOnnx.py writes it: an encoder graph and a
 * one-step decoder graph with a self-attention cache, run by onnxruntime,
 * with SentencePiece pieces mapped to the model's vocabulary.
 */
export class MarianTranslator {
  private readonly index: Map<string, number>;

  private constructor(
    private readonly encoder: ort.InferenceSession,
    private readonly decoder: ort.InferenceSession,
    private readonly spm: SentencePieceProcessor,
    private readonly vocabulary: readonly string[],
    private readonly shape: ModelShape,
  ) {
    this.index = new Map(vocabulary.map((piece, id) => [piece, id]));
  }

  /**
   * Loads model `id` from `dir`, where it lies as the model store keeps it:
   * `<id>.encoder.onnx`, `<id>.decoder.onnx`, `<id>.spm` and `<id>.vocab.json`.
   */
  static async load(dir: string, id: string, threads = 2): Promise<MarianTranslator> {
    const file = (part: string) => join(dir, `${id}.${part}`);
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    };
    const vocabulary = JSON.parse(readFileSync(file('vocab.json'), 'utf8')) as string[];
    const spm = new SentencePieceProcessor();
    await spm.load(file('spm'));
    const encoder = await ort.InferenceSession.create(file('encoder.onnx'), options);
    const decoder = await ort.InferenceSession.create(file('decoder.onnx'), options);
    const layers = decoder.inputNames.filter((n) => n.startsWith('past_k_')).length;
    const meta = decoder.inputMetadata.find((m) => m.name === 'past_k_0');
    const dims = meta && 'shape' in meta ? meta.shape : [];
    const heads = Number(dims[1]);
    const headDim = Number(dims[3]);
    if (layers === 0 || !Number.isInteger(heads) || !Number.isInteger(headDim)) {
      throw new Error(`${id}.decoder.onnx is not a graph ct2ToOnnx.py wrote`);
    }
    return new MarianTranslator(encoder, decoder, spm, vocabulary, {
      layers,
      heads,
      headDim,
      start: vocabulary.length,
    });
  }

  /** The source pieces of a text, as SentencePiece cuts it. */
  pieces(text: string): string[] {
    return this.spm.encodePieces(text);
  }

  /**
   * How many of the pieces' characters (word marks and spaces aside) lie in
   * pieces the model's vocabulary lacks: text it reads as one unknown token
   * and can only guess around.
   */
  unknownCharacters(pieces: readonly string[]): { unknown: number; all: number } {
    let unknown = 0;
    let all = 0;
    for (const piece of pieces) {
      const chars = [...piece.replace(/[\s▁]/gu, '')].length;
      all += chars;
      if (!this.index.has(piece)) unknown += chars;
    }
    return { unknown, all };
  }

  /**
   * Translates texts already cut into pieces, as one batch: every text is
   * decoded at once, its beams side by side.
   */
  async translatePieces(batch: string[][], options: TranslateOptions): Promise<Translation[]> {
    if (batch.length === 0) return [];
    const cut = batch.map((p) => p.length > MAX_SOURCE_PIECES);
    const ids = batch.map((p) => [
      ...p.slice(0, MAX_SOURCE_PIECES).map((piece) => this.index.get(piece) ?? this.unk()),
      EOS,
    ]);
    const width = Math.max(...ids.map((s) => s.length));
    const flat = new BigInt64Array(batch.length * width);
    const mask = new BigInt64Array(batch.length * width);
    ids.forEach((s, row) =>
      s.forEach((id, col) => {
        flat[row * width + col] = BigInt(id);
        mask[row * width + col] = 1n;
      }),
    );
    const encoded = await this.encoder.run({
      input_ids: new ort.Tensor('int64', flat, [batch.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [batch.length, width]),
    });

    const maxPieces = options.maxPieces ?? 256;
    const limits = ids.map((s) => Math.min(maxPieces, 4 * s.length + 16));
    const step = this.stepper(encoded, batch.length);
    const best = await beamSearch(step, {
      sentences: batch.length,
      beamSize: options.beamSize,
      start: this.shape.start,
      end: EOS,
      limits,
    });
    return best.map((h: Hypothesis, i) => {
      const pieces = h.tokens.filter((t) => t !== EOS).map((t) => this.vocabulary[t] ?? UNK_PIECE);
      return {
        text: pieces.join('').replace(/▁/g, ' ').trim(),
        pieces,
        confidence: Math.exp(h.logProb / Math.max(1, h.tokens.length)),
        truncated: cut[i]! || !h.finished,
      };
    });
  }

  private unk(): number {
    return this.index.get(UNK_PIECE) ?? 1;
  }

  /**
   * The decoder as beamSearch drives it: one step for the rows it names (each
   * row a hypothesis of sentence `rows[i].sentence`, continuing the cache
   * row `rows[i].from` of the step before).
   */
  private stepper(encoded: ort.InferenceSession.OnnxValueMapType, sentences: number): DecodeStep {
    const { layers, heads, headDim } = this.shape;
    const cross = (name: string) => encoded[name] as ort.Tensor;
    let cache: ort.Tensor[] | null = null;
    let perSentence: { mask: ort.Tensor; cross: ort.Tensor[] } | null = null;
    let rowsBefore: number[] = [];

    return async (tokens, sentenceOf, from, position, k) => {
      const n = tokens.length;
      const sameSentences =
        rowsBefore.length === n && sentenceOf.every((s, i) => s === rowsBefore[i]);
      if (!perSentence || !sameSentences) {
        perSentence = {
          mask: takeRows(cross('mask_bias'), sentenceOf, sentences),
          cross: Array.from({ length: layers }, (_, i) => [
            takeRows(cross(`cross_k_${i}`), sentenceOf, sentences),
            takeRows(cross(`cross_v_${i}`), sentenceOf, sentences),
          ]).flat(),
        };
        rowsBefore = [...sentenceOf];
      }
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [n, 1]),
        position: new ort.Tensor('int64', BigInt64Array.of(BigInt(position)), [1]),
        k: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), [1]),
        mask_bias: perSentence.mask,
      };
      for (let i = 0; i < layers; i++) {
        feeds[`cross_k_${i}`] = perSentence.cross[2 * i]!;
        feeds[`cross_v_${i}`] = perSentence.cross[2 * i + 1]!;
        const empty = new ort.Tensor('float32', new Float32Array(0), [n, heads, 0, headDim]);
        feeds[`past_k_${i}`] = cache ? takeRows(cache[2 * i]!, from) : empty;
        feeds[`past_v_${i}`] = cache ? takeRows(cache[2 * i + 1]!, from) : empty;
      }
      const out = await this.decoder.run(feeds);
      cache = Array.from({ length: layers }, (_, i) => [
        out[`present_k_${i}`] as ort.Tensor,
        out[`present_v_${i}`] as ort.Tensor,
      ]).flat();
      return {
        logProbs: (out.top_log_probs as ort.Tensor).data as Float32Array,
        ids: (out.top_ids as ort.Tensor).data as BigInt64Array,
      };
    };
  }

  async dispose(): Promise<void> {
    await this.encoder.release();
    await this.decoder.release();
  }
}

/**
 * A tensor of the rows `rows` of `source` (its first dimension), in that
 * order; rows may repeat (a sentence's beams share its encoder output). When
 * the rows are exactly 0..n-1 the tensor itself is returned.
 */
function takeRows(source: ort.Tensor, rows: readonly number[], sourceRows?: number): ort.Tensor {
  const total = sourceRows ?? source.dims[0]!;
  if (rows.length === total && rows.every((r, i) => r === i)) return source;
  const data = source.data as Float32Array;
  const size = data.length / total;
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(data.subarray(r * size, (r + 1) * size), i * size));
  return new ort.Tensor('float32', out, [rows.length, ...source.dims.slice(1)]);
}
