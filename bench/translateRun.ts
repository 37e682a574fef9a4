/**
 * One measured run of TOEX's translation runtime, for bench/translate.ts:
 * loads the model, translates the sentences in the file given, and prints
 * the time taken (load apart) and the words written, as JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { installRoot } from '../main/installRoot.js';
import { MarianTranslator } from '../workers/translate/MarianTranslator.js';
import { translateTexts } from '../workers/translate/translateTexts.js';

const { values } = parseArgs({
  options: {
    sentences: { type: 'string' },
    batch: { type: 'string', default: '8' },
    beam: { type: 'string', default: '4' },
    threads: { type: 'string', default: '2' },
  },
});
const sentences = JSON.parse(readFileSync(values.sentences!, 'utf8')) as string[];
const loadStart = performance.now();
const translator = await MarianTranslator.load(
  join(installRoot(), 'dist', 'model-weights'),
  'opus-mt-zh-en',
  Number(values.threads),
);
const loadSeconds = (performance.now() - loadStart) / 1000;
const start = performance.now();
const out = await translateTexts(translator, sentences, {
  beamSize: Number(values.beam),
  batchSize: Number(values.batch),
});
const seconds = (performance.now() - start) / 1000;
await translator.dispose();
const words = out.reduce((n, t) => n + t.text.split(/\s+/).filter(Boolean).length, 0);
process.stdout.write(JSON.stringify({ loadSeconds, seconds, sentences: out.length, words }));
