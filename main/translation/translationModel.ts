import { createHash } from 'node:crypto';
import { join } from 'node:path';

import { ToexError } from '../errors.js';
import {
  isTranslationModel,
  loadManifest,
  sha256OfFile,
  type ModelEntry,
} from '../../models/modelManifest.js';
import { folderHolding, modelFolders } from '../../models/modelStore.js';

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

/** The translation models of the manifest and of the site's own list in the data folder. */
export function translationEntries(home: string): ModelEntry[] {
  return loadManifest(home).filter(isTranslationModel);
}

/** The model that translates `from` into `to`, if the manifest has one. */
export function translationEntry(from: string, to: string, home: string): ModelEntry | undefined {
  return translationEntries(home).find((e) => e.languages[0] === from && e.languages[1] === to);
}

/**
 * Finds a translation model's files and checks each one's SHA-256: a missing
 * or altered file is refused with one line, never translated with. They are
 * looked for in `dir` when given (where a queued job found them), else in
 * TOEX_TRANSLATION_MODELS when set, else in the data folder's models
 * (`toex models import`) and then where bin/setup put them.
 */
export async function translationModel(
  entry: ModelEntry,
  where: { home: string } | { dir: string },
): Promise<TranslationModel> {
  const folders =
    'dir' in where
      ? [where.dir]
      : process.env.TOEX_TRANSLATION_MODELS
        ? [process.env.TOEX_TRANSLATION_MODELS]
        : modelFolders(where.home, entry);
  const dir = folderHolding(folders, entry);
  if (dir === undefined) {
    throw new ToexError(
      'engine',
      `the translation model ${entry.id} is not installed; run bin/setup, or \`toex models import\` its ${entry.files.length} files`,
    );
  }
  for (const file of entry.files) {
    if ((await sha256OfFile(join(dir, file.name), file.name)) !== file.sha256) {
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

/** The language translations go through when no model reads one language into another. */
export const PIVOT = 'en';

/**
 * The models that translate `from` into `to` here: one for the pair, else
 * two through English (`from` into English, English into `to`), else none.
 */
export function translationRoute(from: string, to: string, home: string): ModelEntry[] {
  const direct = translationEntry(from, to, home);
  if (direct) return [direct];
  if (from === PIVOT || to === PIVOT) return [];
  const first = translationEntry(from, PIVOT, home);
  const second = translationEntry(PIVOT, to, home);
  return first && second ? [first, second] : [];
}

/** One model of a route, as a queued job keeps it: checked again at every slice. */
export interface RouteLeg {
  modelId: string;
  modelSha256: string;
  /** The folder the model was found in when the job was queued. */
  modelDir: string;
}

/** The model id a translation through these models records: one model's own, or "a > b". */
export function routeId(modelIds: readonly string[]): string {
  return modelIds.join(' > ');
}

/**
 * A route's models found and checked, and the name and hash a translation
 * made through them records: a single model's own, or for two "a > b" and
 * the SHA-256 of their two hashes (hex, one a line).
 */
export async function routeModels(
  route: readonly ModelEntry[],
  home: string,
): Promise<{ id: string; sha256: string; legs: RouteLeg[] }> {
  const models: TranslationModel[] = [];
  for (const entry of route) models.push(await translationModel(entry, { home }));
  const legs = models.map((m) => ({ modelId: m.id, modelSha256: m.sha256, modelDir: m.dir }));
  if (models.length === 1) return { id: models[0]!.id, sha256: models[0]!.sha256, legs };
  return {
    id: routeId(models.map((m) => m.id)),
    sha256: createHash('sha256')
      .update(models.map((m) => `${m.sha256}\n`).join(''))
      .digest('hex'),
    legs,
  };
}
