import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { ToexError } from '../errors.js';
import { installRoot } from '../installRoot.js';
import { loadManifest, sha256OfFile, type ModelEntry } from '../../models/modelManifest.js';

/** A translation model found where set-up put it, checked file by file against the manifest. */
export interface TranslationModel {
  id: string;
  from: string;
  to: string;
  dir: string;
  /**
   * One hash for the whole model: the SHA-256 of its files' SHA-256s (hex,
   * one a line, in the manifest's order), so a translation names exactly
   * the encoder, decoder and vocabularies that made it.
   */
  sha256: string;
}

/** The manifest's translation models: ONNX entries whose languages are a pair, source first. */
export function translationEntries(): ModelEntry[] {
  return loadManifest().filter(
    (e) => e.engine === 'onnxruntime' && e.languages.length === 2 && e.files.length > 1,
  );
}

/** The model that translates `from` into `to`, if the manifest has one. */
export function translationEntry(from: string, to: string): ModelEntry | undefined {
  return translationEntries().find((e) => e.languages[0] === from && e.languages[1] === to);
}

const weightsDir = () =>
  process.env.TOEX_TRANSLATION_MODELS ?? join(installRoot(), 'dist', 'model-weights');

/**
 * Finds a translation model's files and checks each one's SHA-256: a missing
 * or altered file is refused with one line, never translated with.
 */
export async function translationModel(entry: ModelEntry): Promise<TranslationModel> {
  const dir = weightsDir();
  for (const file of entry.files) {
    const path = join(dir, file.name);
    if (!existsSync(path)) {
      throw new ToexError(
        'engine',
        `the translation model ${entry.id} is not installed (${file.name} is missing); run bin/setup`,
      );
    }
    if ((await sha256OfFile(path, file.name)) !== file.sha256) {
      throw new ToexError(
        'engine',
        `${file.name} of ${entry.id} does not match the manifest's SHA-256; it was altered or damaged (run bin/setup)`,
      );
    }
  }
  const sha256 = createHash('sha256')
    .update(entry.files.map((f) => `${f.sha256}\n`).join(''))
    .digest('hex');
  return { id: entry.id, from: entry.languages[0]!, to: entry.languages[1]!, dir, sha256 };
}
