import { serveJob } from '../serveJob.js';
import type { GlossaryTerm } from './keepIntact.js';
import { MarianTranslator } from './MarianTranslator.js';
import { translateThrough, type TextTranslation } from './translateTexts.js';

/** One slice of messages to translate, with the model that is to do it (or two, through English). */
export interface TranslateInput {
  /** Each model's folder and id, in the order the text goes through them. */
  models: { dir: string; id: string }[];
  threads: number;
  beamSize: number;
  batchSize: number;
  glossary: GlossaryTerm[];
  texts: { id: number; text: string }[];
}

/** The translations of the next messages of the slice. */
export interface TranslatePartial {
  results: ({ id: number } & TextTranslation)[];
}

/** Messages per partial: each is stored with the job's checkpoint in one transaction. */
const CHUNK = 64;

serveJob<TranslateInput, TranslatePartial>(async (input, io) => {
  const translators: MarianTranslator[] = [];
  try {
    for (const m of input.models) {
      translators.push(await MarianTranslator.load(m.dir, m.id, input.threads));
    }
    const { texts } = input;
    io.progress(0, texts.length, 'translating');
    for (let start = 0; start < texts.length; start += CHUNK) {
      io.signal.throwIfAborted();
      const chunk = texts.slice(start, start + CHUNK);
      const out = await translateThrough(
        translators,
        chunk.map((t) => t.text),
        { beamSize: input.beamSize, batchSize: input.batchSize, glossary: input.glossary },
      );
      await io.deliver({ results: chunk.map((t, i) => ({ id: t.id, ...out[i]! })) });
      io.progress(Math.min(start + CHUNK, texts.length), texts.length, 'translating');
    }
  } finally {
    for (const t of translators) await t.dispose();
  }
});
