import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { ToexError, fromFsError } from '../main/errors.js';
import { installRoot } from '../main/installRoot.js';

export interface ModelFile {
  /** A bare file name: the store keeps the file under it, so it never holds a path. */
  name: string;
  size: number;
  sha256: string;
  /** The SHA-1 whisper.cpp publishes, where there is one. */
  sha1?: string;
  /**
   * Where the publisher serves it (https). Whisper models have one, for
   * `toex models fetch`; the helper models set-up installs from a registry
   * package (the speech detector) have none.
   */
  url?: string;
  /** The SHA-256 of the file it was converted from, where it was converted. */
  sourceSha256?: string;
}

export type ModelEngine = 'whisper.cpp' | 'onnxruntime';

export interface ModelEntry {
  id: string;
  engine: ModelEngine;
  /** ['multilingual'], or the codes of the only languages the model knows. */
  languages: string[];
  /** Whisper models: f16 for the full-precision files, else the ggml quantisation (q5_1, q8_0). */
  quantisation?: string;
  licence: string;
  files: ModelFile[];
  /** Where the file can be had, and how its hashes were obtained. */
  source: string;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const WHISPER_ID = /^whisper-[a-z0-9][a-z0-9._-]{0,63}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const LANGUAGE = /^[a-z]{2,3}$/;
const QUANTISATION = /^(f16|q[458]_[01])$/;

function text(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function fileProblems(file: Record<string, unknown>, where: string, needsUrl: boolean): string[] {
  const problems: string[] = [];
  if (typeof file.name !== 'string' || !FILE_NAME.test(file.name)) {
    problems.push(`${where}: name must be a bare file name`);
  }
  if (typeof file.size !== 'number' || !Number.isSafeInteger(file.size) || file.size <= 0) {
    problems.push(`${where}: size must be a whole number of bytes`);
  }
  if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256)) {
    problems.push(`${where}: sha256 must be 64 lower-case hex digits`);
  }
  if (
    file.sha1 !== undefined &&
    (typeof file.sha1 !== 'string' || !/^[0-9a-f]{40}$/.test(file.sha1))
  ) {
    problems.push(`${where}: sha1, when given, must be 40 lower-case hex digits`);
  }
  if (!needsUrl && file.url === undefined) return problems;
  let url: URL | undefined;
  try {
    url = new URL(String(file.url));
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || !url.pathname.endsWith(`/${String(file.name)}`)) {
    problems.push(`${where}: url must be an https address ending in the file name`);
  }
  return problems;
}

function entryProblems(entry: Record<string, unknown>, where: string): string[] {
  const problems: string[] = [];
  const whisper = entry.engine === 'whisper.cpp';
  if (!whisper && entry.engine !== 'onnxruntime') {
    problems.push(`${where}: engine must be whisper.cpp or onnxruntime`);
  }
  if (typeof entry.id !== 'string' || !(whisper ? WHISPER_ID : ID).test(entry.id)) {
    problems.push(
      `${where}: id must look like ${whisper ? 'whisper-<name>' : 'a lower-case name'}`,
    );
  }
  const languages = entry.languages;
  const languagesOk =
    Array.isArray(languages) &&
    languages.length > 0 &&
    (languages.length === 1 && languages[0] === 'multilingual'
      ? true
      : languages.every((l) => typeof l === 'string' && LANGUAGE.test(l)));
  if (!languagesOk) {
    problems.push(`${where}: languages must be ["multilingual"] or a list of language codes`);
  }
  if (
    whisper &&
    (typeof entry.quantisation !== 'string' || !QUANTISATION.test(entry.quantisation))
  ) {
    problems.push(`${where}: quantisation must be f16 or a ggml type such as q5_1`);
  }
  if (!text(entry.licence)) problems.push(`${where}: licence is missing`);
  if (!text(entry.source)) problems.push(`${where}: source is missing`);
  // A Whisper model is one file, which the store and `--model` rely on; an ONNX model
  // may be several (a translation model's encoder, decoder and vocabularies).
  if (
    !Array.isArray(entry.files) ||
    entry.files.length === 0 ||
    (whisper && entry.files.length !== 1)
  ) {
    problems.push(`${where}: files must list ${whisper ? 'exactly one file' : 'its files'}`);
    return problems;
  }
  entry.files.forEach((file: unknown, i) => {
    if (typeof file !== 'object' || file === null) {
      problems.push(`${where} file ${i + 1}: not an object`);
    } else {
      problems.push(
        ...fileProblems(file as Record<string, unknown>, `${where} file ${i + 1}`, whisper),
      );
    }
  });
  return problems;
}

/**
 * Checks a parsed manifest and returns every problem found, one line each.
 * Besides each field's shape, ids, file names and hashes must be unique: the
 * store files a model under its name and transcription names it by its hash,
 * so a duplicate would make one model pass for another.
 */
export function manifestProblems(raw: unknown): string[] {
  const models = (raw as { models?: unknown } | null)?.models;
  if (!Array.isArray(models) || models.length === 0) return ['models must be a non-empty list'];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const once = (kind: string, value: unknown, where: string) => {
    if (typeof value !== 'string') return;
    const first = seen.get(`${kind}:${value}`);
    if (first) problems.push(`${where}: ${kind} ${value} is already used by ${first}`);
    else seen.set(`${kind}:${value}`, where);
  };
  models.forEach((entry: unknown, i) => {
    const where = `model ${i + 1}${typeof (entry as { id?: unknown })?.id === 'string' ? ` (${(entry as { id: string }).id})` : ''}`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${where}: not an object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    problems.push(...entryProblems(e, where));
    once('id', e.id, where);
    for (const file of Array.isArray(e.files) ? (e.files as Record<string, unknown>[]) : []) {
      once('file name', file?.name, where);
      // Translation models may share a file's content (one vocabulary for several pairs).
      if (e.engine !== 'onnxruntime') once('sha256', file?.sha256, where);
    }
  });
  return problems;
}

function readManifest(path: string, what: string, kind: ToexError['kind']): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ToexError(kind, `${what} cannot be read as JSON`, { cause: err });
  }
}

/** Where a site lists the translation models it converted itself, in its data folder. */
export function siteManifestPath(home: string): string {
  return join(home, 'models', 'site-manifest.json');
}

/**
 * The manifest's models and, given the data folder, the site's own: the
 * translation models an agency converted itself (OPUS-MT pairs through
 * models/translation/ct2ToOnnx.py, on a machine that can reach their
 * publisher) and listed in `models/site-manifest.json` with each file's
 * size and SHA-256. The site's list is checked with the manifest's, as
 * strictly, and may hold translation models only.
 */
export function loadManifest(home?: string): ModelEntry[] {
  const raw = readManifest(
    join(installRoot(), 'models', 'manifest.json'),
    'models/manifest.json',
    'internal',
  );
  const problems = manifestProblems(raw);
  if (problems.length > 0) {
    throw new ToexError('internal', `models/manifest.json is invalid: ${problems[0]}`);
  }
  const models = (raw as { models: ModelEntry[] }).models;
  const site = home === undefined ? undefined : siteManifestPath(home);
  if (site === undefined || !existsSync(site)) return models;

  const what = "the data folder's models/site-manifest.json";
  const own = (readManifest(site, what, 'bad-input') as { models?: unknown } | null)?.models;
  const siteProblems = Array.isArray(own)
    ? [
        ...manifestProblems({ models: [...models, ...own] }),
        ...own.flatMap((e: unknown, i) =>
          isTranslationModel(e as ModelEntry)
            ? []
            : [
                `site model ${i + 1}: only translation models (ONNX, a language pair) may be listed`,
              ],
        ),
      ]
    : ['models must be a list'];
  if (siteProblems.length > 0) {
    throw new ToexError('bad-input', `${what} is invalid: ${siteProblems[0]}`);
  }
  return [...models, ...(own as ModelEntry[])];
}

/** The Whisper models: the ones `toex models` installs, fetches and verifies. */
export function whisperModels(): ModelEntry[] {
  return loadManifest().filter((e) => e.engine === 'whisper.cpp');
}

/** A translation model: an ONNX entry of several files whose languages are a pair, source first. */
export function isTranslationModel(e: ModelEntry): boolean {
  return (
    e?.engine === 'onnxruntime' &&
    Array.isArray(e.languages) &&
    e.languages.length === 2 &&
    Array.isArray(e.files) &&
    e.files.length > 1
  );
}

/**
 * The models `toex models` lists, imports and verifies: Whisper's and the
 * translation models. (The speech detector and speaker encoder are set-up's.)
 */
export function storeModels(home?: string): ModelEntry[] {
  return loadManifest(home).filter((e) => e.engine === 'whisper.cpp' || isTranslationModel(e));
}

/**
 * The Whisper model with this id. The other models (the speech detector) are
 * installed by set-up from their registry packages, not by `toex models`.
 */
export function whisperModel(id: string): ModelEntry {
  const entry = manifestEntry(id);
  if (isTranslationModel(entry)) {
    throw new ToexError(
      'bad-input',
      `${id} has no download address: bin/setup builds it, or \`toex models import\` copies in its files`,
    );
  }
  if (entry.engine !== 'whisper.cpp') {
    throw new ToexError('bad-input', `${id} is installed by bin/setup, not by toex models`);
  }
  return entry;
}

/** The manifest entry with this id (or the site's, given the data folder), or a not-found error. */
export function manifestEntry(id: string, home?: string): ModelEntry {
  const entry = loadManifest(home).find((e) => e.id === id);
  if (!entry) {
    throw new ToexError(
      'not-found',
      `no model "${id}" in the manifest (\`toex models list\` shows them)`,
    );
  }
  return entry;
}

export async function sha256OfFile(path: string, what = 'the model file'): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
  } catch (err) {
    throw fromFsError(err, `reading ${what}`);
  }
  return hash.digest('hex');
}

/**
 * Names a model file by its SHA-256 against the manifest. A file the manifest
 * does not know (altered, truncated, or simply not a model) is refused before
 * any engine loads it; the caller checks it is the kind of model it needs.
 */
export async function identifyModel(path: string): Promise<{ entry: ModelEntry; file: ModelFile }> {
  // A device or pipe (/dev/zero) would be hashed for ever, and a file of no
  // model's size cannot be one: both are refused before reading a byte.
  let info;
  try {
    info = statSync(path);
  } catch (err) {
    throw fromFsError(err, 'reading the model file');
  }
  if (!info.isFile()) {
    throw new ToexError('bad-input', 'the model is not a regular file; it was not used');
  }
  if (!loadManifest().some((e) => e.files.some((f) => f.size === info.size))) {
    throw new ToexError(
      'bad-input',
      `the model file matches no model in the manifest (${info.size} bytes, the size of none); it was not used`,
    );
  }
  const sha256 = await sha256OfFile(path);
  for (const entry of loadManifest()) {
    const file = entry.files.find((f) => f.sha256 === sha256);
    if (file) return { entry, file };
  }
  throw new ToexError(
    'bad-input',
    `the model file matches no model in the manifest (sha256 ${sha256}); it was not used`,
  );
}
