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
import {
  loadManifest,
  type ModelEntry,
  type ModelFile,
  whisperModel,
  whisperModels,
} from './modelManifest.js';

const log = getLogger('models');

export type Progress = (done: number, total: number, label?: string) => void;

/** Models are workstation-wide: one folder in the data folder, shared by every case. */
export function modelsDir(home: string): string {
  return join(home, 'models');
}

export interface ModelStatus {
  id: string;
  file: string;
  size: number;
  languages: string[];
  quantisation: string;
  /** The file is in the store at its manifest size; `verify` re-hashes it. */
  installed: boolean;
}

export function listModels(home: string): ModelStatus[] {
  return whisperModels().map((entry) => {
    const file = entry.files[0]!;
    return {
      id: entry.id,
      file: file.name,
      size: file.size,
      languages: entry.languages,
      quantisation: entry.quantisation ?? 'f16',
      installed: sizeOnDisk(join(modelsDir(home), file.name)) === file.size,
    };
  });
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
    // The detector and speaker models are read from where set-up put them; only Whisper's are kept here.
    const other = loadManifest().find(
      (e) => e.engine !== 'whisper.cpp' && e.files.some((f) => f.name === basename(candidate.path)),
    );
    return refuse(
      other
        ? `${other.id} is not a Whisper model: TOEX reads it from where bin/setup put it, so it is not imported`
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
  const manifest = whisperModels();
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

async function verifyEntry(home: string, entry: ModelEntry): Promise<VerifyOutcome> {
  const file = entry.files[0]!;
  const path = join(modelsDir(home), file.name);
  const outcome = (state: VerifyOutcome['state'], detail?: string): VerifyOutcome =>
    detail === undefined
      ? { id: entry.id, file: file.name, state }
      : { id: entry.id, file: file.name, state, detail };
  const size = sizeOnDisk(path);
  if (size === undefined) return outcome('missing', 'not in the models folder');
  if (size !== file.size) return outcome('altered', `${size} bytes, expected ${file.size}`);
  try {
    const { sha256 } = await digestFile(path, { noFollow: true });
    return sha256 === file.sha256 ? outcome('ok') : outcome('altered', `sha256 ${sha256}`);
  } catch (err) {
    return outcome('altered', toToexError(err).message);
  }
}

/**
 * Re-hashes installed models against the manifest: every installed one, or
 * just `id`, which counts as missing when it is not there.
 */
export async function verifyModels(home: string, id?: string): Promise<VerifyOutcome[]> {
  const entries =
    id === undefined
      ? whisperModels().filter(
          (e) => sizeOnDisk(join(modelsDir(home), e.files[0]!.name)) !== undefined,
        )
      : [whisperModel(id)];
  const outcomes: VerifyOutcome[] = [];
  for (const entry of entries) outcomes.push(await verifyEntry(home, entry));
  return outcomes;
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
