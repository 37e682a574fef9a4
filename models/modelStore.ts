import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { ToexError, fromFsError, toToexError } from '../main/errors.js';
import { CHUNK_BYTES, DigestStream, digestFile } from '../main/evidence/DigestStream.js';
import { getLogger } from '../main/log/log.js';
import { isProcessAlive } from '../main/processAlive.js';
import { fsyncFolder } from '../main/store/atomicWrite.js';
import { installRoot } from '../main/installRoot.js';
import {
  isTranslationModel,
  loadManifest,
  manifestEntry,
  storeModels,
  type ModelEntry,
  type ModelFile,
  whisperModels,
} from './modelManifest.js';

const log = getLogger('models');

export type Progress = (done: number, total: number, label?: string) => void;

/** Models are workstation-wide: one folder in the data folder, shared by every case. */
export function modelsDir(home: string): string {
  return join(home, 'models');
}

/** Where bin/setup puts the models it provisions. */
export function setupModelsDir(): string {
  return join(installRoot(), 'dist', 'model-weights');
}

/**
 * The folders a model's files are looked for in, first first: the data
 * folder's store, then, for a translation model, the folder bin/setup fills.
 */
export function modelFolders(home: string, entry: ModelEntry): string[] {
  return isTranslationModel(entry) ? [modelsDir(home), setupModelsDir()] : [modelsDir(home)];
}

/** The first of the model's folders that holds every one of its files at its manifest size. */
export function folderHolding(folders: readonly string[], entry: ModelEntry): string | undefined {
  return folders.find((dir) => entry.files.every((f) => sizeOnDisk(join(dir, f.name)) === f.size));
}

export interface ModelStatus {
  id: string;
  /** The file's name, or "4 files" for a model of several. */
  file: string;
  size: number;
  languages: string[];
  quantisation: string;
  /** Every file is in one of its folders at its manifest size; `verify` re-hashes them. */
  installed: boolean;
}

export function listModels(home: string): ModelStatus[] {
  return storeModels(home).map((entry) => ({
    id: entry.id,
    file: filesShown(entry),
    size: entry.files.reduce((n, f) => n + f.size, 0),
    languages: entry.languages,
    quantisation: entry.quantisation ?? (isTranslationModel(entry) ? 'int8' : 'f16'),
    installed: folderHolding(modelFolders(home, entry), entry) !== undefined,
  }));
}

function filesShown(entry: ModelEntry): string {
  return entry.files.length === 1 ? entry.files[0]!.name : `${entry.files.length} files`;
}

function sizeOnDisk(path: string): number | undefined {
  try {
    const stats = lstatSync(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts a verified partial file in place: read-only, then renamed over any
 * older copy in one step, so the store never holds a half-written model
 * under its real name.
 */
export function installPartial(home: string, partial: string, file: ModelFile): string {
  const finalPath = join(modelsDir(home), file.name);
  chmodSync(partial, 0o444);
  renameSync(partial, finalPath);
  fsyncFolder(modelsDir(home));
  return finalPath;
}

export function ensureModelsDir(home: string): string {
  const dir = modelsDir(home);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fromFsError(err, 'creating the models folder');
  }
  return dir;
}

/** Partial copies left by imports whose process is gone (a crash, a pulled plug). */
function removeAbandonedImports(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^\.import-(\d+)-[0-9a-f]+\.partial$/.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid))) rmSync(join(dir, name), { force: true });
  }
}

export type ImportOutcome =
  | { file: string; state: 'imported'; id: string; sha256: string }
  | { file: string; state: 'refused'; reason: string };

interface Candidate {
  path: string;
  /** As the user will recognise it: relative to the folder they named. */
  shown: string;
  size: number;
}

/** Regular files under `dir`; symbolic links are listed as refused, never followed. */
function walk(dir: string, root: string, found: Candidate[], refused: ImportOutcome[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const shown = relative(root, path);
    if (entry.isDirectory()) walk(path, root, found, refused);
    else if (entry.isFile()) found.push({ path, shown, size: lstatSync(path).size });
    else refused.push({ file: shown, state: 'refused', reason: 'not a regular file' });
  }
}

/** Which manifest file a candidate claims to be: by its name, else by its exact size. */
function claimedFiles(candidate: Candidate, manifest: ModelEntry[]): ModelFile[] {
  const all = manifest.flatMap((e) => e.files);
  const byName = all.find((f) => f.name === basename(candidate.path));
  if (byName) return [byName];
  return all.filter((f) => f.size === candidate.size);
}

async function importOne(
  home: string,
  candidate: Candidate,
  manifest: ModelEntry[],
  onBytes: (n: number) => void,
): Promise<ImportOutcome> {
  const refuse = (reason: string): ImportOutcome => ({
    file: candidate.shown,
    state: 'refused',
    reason,
  });
  const claimed = claimedFiles(candidate, manifest);
  if (claimed.length === 0) {
    // The detector and speaker models are read from where set-up put them; only the store's are kept here.
    const other = loadManifest().find(
      (e) =>
        !manifest.some((m) => m.id === e.id) &&
        e.files.some((f) => f.name === basename(candidate.path)),
    );
    return refuse(
      other
        ? `${other.id} is read from where bin/setup put it, so it is not imported`
        : 'not a model file the manifest lists',
    );
  }
  const named = claimed.length === 1 && claimed[0]!.name === basename(candidate.path);
  if (named && candidate.size !== claimed[0]!.size) {
    return refuse(
      `${candidate.size} bytes, but ${claimed[0]!.name} is ${claimed[0]!.size} bytes (truncated or altered)`,
    );
  }

  const partial = join(
    modelsDir(home),
    `.import-${process.pid}-${randomBytes(6).toString('hex')}.partial`,
  );
  try {
    const digest = new DigestStream(onBytes);
    await pipeline(
      createReadStream(candidate.path, { highWaterMark: CHUNK_BYTES }),
      digest,
      createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
    );
    const out = openSync(partial, 'r');
    try {
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    const { size, sha256 } = digest.digest();
    const file = claimed.find((f) => f.sha256 === sha256 && f.size === size);
    if (!file) {
      rmSync(partial, { force: true });
      return refuse(
        named
          ? `sha256 ${sha256} is not the manifest's for ${claimed[0]!.name} (altered or corrupt)`
          : `matches no model in the manifest (sha256 ${sha256})`,
      );
    }
    installPartial(home, partial, file);
    const entry = manifest.find((e) => e.files.includes(file))!;
    log.info({ modelId: entry.id, sha256, bytes: size }, 'model imported');
    return { file: candidate.shown, state: 'imported', id: entry.id, sha256 };
  } catch (err) {
    rmSync(partial, { force: true });
    return refuse(fromFsError(err, 'copying').message);
  }
}

/**
 * Imports model files from a file or a folder (a USB stick on an air-gapped
 * terminal). Each is copied to a partial name while being hashed, and counts
 * as installed only once its size and sha256 match the manifest; anything
 * else is refused with its reason, and the rest of the folder still imports.
 */
export async function importModels(
  home: string,
  source: string,
  onProgress?: Progress,
): Promise<ImportOutcome[]> {
  let top;
  try {
    top = statSync(source);
  } catch (err) {
    throw fromFsError(err, `reading ${basename(source)}`);
  }
  const found: Candidate[] = [];
  const outcomes: ImportOutcome[] = [];
  try {
    if (top.isDirectory()) walk(source, source, found, outcomes);
    else found.push({ path: source, shown: basename(source), size: top.size });
  } catch (err) {
    throw fromFsError(err, `listing ${basename(source)}`);
  }
  if (found.length === 0 && outcomes.length === 0) {
    throw new ToexError('bad-input', `${basename(source)} holds no files to import`);
  }

  removeAbandonedImports(ensureModelsDir(home));
  const manifest = storeModels(home);
  const total = found.reduce((sum, c) => sum + c.size, 0);
  let before = 0;
  for (const candidate of found) {
    const outcome = await importOne(home, candidate, manifest, (n) =>
      onProgress?.(before + n, total, candidate.shown),
    );
    before += candidate.size;
    onProgress?.(before, total, candidate.shown);
    if (outcome.state === 'refused') {
      log.warn({ reason: outcome.reason }, 'model file refused');
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

export interface VerifyOutcome {
  id: string;
  file: string;
  state: 'ok' | 'altered' | 'missing';
  detail?: string;
}

/** Re-hashes the copy of a model's files in `dir`. */
async function verifyIn(dir: string, entry: ModelEntry, shown: string): Promise<VerifyOutcome> {
  const outcome = (state: VerifyOutcome['state'], detail?: string): VerifyOutcome =>
    detail === undefined
      ? { id: entry.id, file: shown, state }
      : { id: entry.id, file: shown, state, detail };
  for (const file of entry.files) {
    const path = join(dir, file.name);
    const named = (detail: string) =>
      entry.files.length === 1 ? detail : `${file.name}: ${detail}`;
    const size = sizeOnDisk(path);
    if (size === undefined) return outcome('missing', named('not in the models folder'));
    if (size !== file.size) {
      return outcome('altered', named(`${size} bytes, expected ${file.size}`));
    }
    try {
      const { sha256 } = await digestFile(path, { noFollow: true });
      if (sha256 !== file.sha256) return outcome('altered', named(`sha256 ${sha256}`));
    } catch (err) {
      return outcome('altered', named(toToexError(err).message));
    }
  }
  return outcome('ok');
}

/** The folders of a model that hold any of its files. */
function foldersWithAny(home: string, entry: ModelEntry): string[] {
  return modelFolders(home, entry).filter((d) =>
    entry.files.some((f) => sizeOnDisk(join(d, f.name)) !== undefined),
  );
}

/**
 * Re-hashes installed models against the manifest: every installed one (a
 * model with any of its files present), or just `id`, which counts as
 * missing when it is not there. A translation model is checked in each
 * folder that holds a copy: the data folder's and bin/setup's.
 */
export async function verifyModels(home: string, id?: string): Promise<VerifyOutcome[]> {
  const entries = id === undefined ? storeModels(home) : [storeModel(id, home)];
  const outcomes: VerifyOutcome[] = [];
  for (const entry of entries) {
    const folders = foldersWithAny(home, entry);
    if (folders.length === 0 && id !== undefined) {
      outcomes.push({
        id: entry.id,
        file: filesShown(entry),
        state: 'missing',
        detail: 'not in the models folder',
      });
    }
    for (const dir of folders) {
      const shown = filesShown(entry) + (dir === setupModelsDir() ? " (bin/setup's copy)" : '');
      outcomes.push(await verifyIn(dir, entry, shown));
    }
  }
  return outcomes;
}

function storeModel(id: string, home: string): ModelEntry {
  const entry = manifestEntry(id, home);
  if (!storeModels(home).some((e) => e.id === id)) {
    throw new ToexError('bad-input', `${id} is installed by bin/setup, not by toex models`);
  }
  return entry;
}

/**
 * What `--model` names: a model id from the manifest means that model's file
 * in the data folder's store; anything else is taken as a path, as before.
 * Either way the file's sha256 is checked against the manifest before use.
 */
export function modelPathFor(value: string, home: string): string {
  const entry = whisperModels().find((e) => e.id === value);
  if (!entry) return value;
  const path = join(modelsDir(home), entry.files[0]!.name);
  if (sizeOnDisk(path) === undefined) {
    throw new ToexError(
      'not-found',
      `model ${entry.id} is not installed; add it with \`toex models import <file or folder>\` or \`toex models fetch ${entry.id}\``,
    );
  }
  return path;
}
