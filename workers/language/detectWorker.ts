import { serveJob } from '../serveJob.js';
import { detectLanguage, type DetectedLanguage } from './detectLanguage.js';
import { DETECTOR } from './languageCodes.js';

/** One slice of a case's texts whose language is to be told, in id order. */
export interface DetectInput {
  texts: { id: number; text: string }[];
}

/** The languages of the next texts of the slice, with the detector that told them. */
export interface DetectPartial {
  detector: string;
  results: ({ id: number } & DetectedLanguage)[];
}

/** Results go to main in batches this size: each is one transaction with the job's checkpoint. */
const BATCH = 2000;

serveJob<DetectInput, DetectPartial>(async (input, io) => {
  const { texts } = input;
  for (let start = 0; start < texts.length; start += BATCH) {
    io.signal.throwIfAborted();
    const results = texts
      .slice(start, start + BATCH)
      .map(({ id, text }) => ({ id, ...detectLanguage(text) }));
    await io.deliver({ detector: DETECTOR, results });
    io.progress(Math.min(start + BATCH, texts.length), texts.length, 'detecting');
  }
});
