import { cutForTranslation, joinTranslation, type GlossaryTerm } from './keepIntact.js';
import type { MarianTranslator, TranslateOptions } from './MarianTranslator.js';

/**
 * What a reviewer is told of a translation beside its confidence:
 * `truncated`, a run was cut at the model's limits; `unreadable`, at least
 * half of the text's characters are unknown to the model's vocabulary (a
 * script or rare characters it never learnt, garbled text), so what it
 * wrote is a guess however fluent it reads.
 */
export type TranslationFlag = 'truncated' | 'unreadable';

export interface TextTranslation {
  text: string;
  /** The runs' confidences averaged by their length in pieces; 1 when nothing needed translating. */
  confidence: number;
  flags: TranslationFlag[];
  /** Through two models: the first one's English, which the second translated. */
  via?: string;
}

/** The most runs of text a message is translated in; the rest stay as written, flagged `truncated`. */
export const MAX_RUNS = 64;

/** From this share of unknown characters on, a translation is flagged `unreadable`. */
const UNREADABLE_SHARE = 0.5;

export interface BatchOptions extends TranslateOptions {
  /** Runs decoded together; each batch holds runs of like length, so little is padding. */
  batchSize: number;
  glossary?: readonly GlossaryTerm[];
}

/**
 * Translates whole messages: each is cut into runs of text and pieces kept
 * intact (keepIntact.ts), the runs of every message are sorted by length
 * and decoded in batches, and each message is put back together.
 *
 * Not yet: onnxruntime quantises a layer's activations over the whole batch,
 * so a run's translation can differ by a word with the runs batched beside
 * it; batches are made the same way on every run of the same messages.
 */
export async function translateTexts(
  translator: MarianTranslator,
  texts: readonly string[],
  options: BatchOptions,
): Promise<TextTranslation[]> {
  const cut = texts.map((t) => cutForTranslation(t, options.glossary));
  // A message cut into very many runs (a long list of figures) would hold up every
  // message batched after it: past MAX_RUNS its runs are kept as written, and it is
  // flagged as cut short.
  const cutShort = cut.map((pieces) => {
    let runs = 0;
    pieces.forEach((p, i) => {
      if (p.translate && ++runs > MAX_RUNS) pieces[i] = { translate: false, text: p.text };
    });
    return runs > MAX_RUNS;
  });
  const runs = cut.flatMap((pieces, message) =>
    pieces.flatMap((p) =>
      p.translate ? [{ message, pieces: translator.pieces(p.text.trim()) }] : [],
    ),
  );
  const order = runs
    .map((_, i) => i)
    .sort((a, b) => runs[a]!.pieces.length - runs[b]!.pieces.length);

  const results = new Array<{ text: string; confidence: number; truncated: boolean; size: number }>(
    runs.length,
  );
  const unknown = runs.map((r) => translator.unknownCharacters(r.pieces));
  for (let start = 0; start < order.length; start += options.batchSize) {
    const batch = order.slice(start, start + options.batchSize);
    const out = await translator.translatePieces(
      batch.map((i) => runs[i]!.pieces),
      options,
    );
    batch.forEach(
      (i, k) => (results[i] = { ...out[k]!, size: Math.max(1, out[k]!.pieces.length) }),
    );
  }

  let next = 0;
  return cut.map((pieces, message) => {
    const first = next;
    const mine = pieces.filter((p) => p.translate).map(() => results[next++]!);
    const weight = mine.reduce((n, r) => n + r.size, 0);
    const chars = unknown.slice(first, next);
    const unknownChars = chars.reduce((n, c) => n + c.unknown, 0);
    const allChars = chars.reduce((n, c) => n + c.all, 0);
    const flags: TranslationFlag[] = [];
    if (cutShort[message] || mine.some((r) => r.truncated)) flags.push('truncated');
    if (allChars > 0 && unknownChars >= UNREADABLE_SHARE * allChars) flags.push('unreadable');
    return {
      text: joinTranslation(
        pieces,
        mine.map((r) => r.text),
      ),
      confidence: weight === 0 ? 1 : mine.reduce((n, r) => n + r.confidence * r.size, 0) / weight,
      flags,
    };
  });
}

/**
 * Translates whole messages through a route of models, each model's output
 * the next one's input (Chinese into English, then English into German).
 * Glossary terms are put in by the first model as listed and kept as they
 * then stand by the rest; the confidence is the product of the models'
 * confidences; a flag any model raised is kept.
 */
export async function translateThrough(
  translators: readonly MarianTranslator[],
  texts: readonly string[],
  options: BatchOptions,
): Promise<TextTranslation[]> {
  const [first, ...rest] = translators;
  let out = await translateTexts(first!, texts, options);
  const kept = (options.glossary ?? []).map((t) => ({ source: t.target ?? t.source }));
  for (const translator of rest) {
    const next = await translateTexts(
      translator,
      out.map((t) => t.text),
      { ...options, glossary: kept },
    );
    out = out.map((before, i) => ({
      text: next[i]!.text,
      confidence: before.confidence * next[i]!.confidence,
      flags: [...new Set([...before.flags, ...next[i]!.flags])],
      via: before.text,
    }));
  }
  return out;
}
