import { createHash, type Hash } from 'node:crypto';
import {
  constants as fsConstants,
  closeSync,
  createReadStream,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';

import { ToexError, fromFsError } from '../main/errors.js';
import { getLogger } from '../main/log/log.js';
import { isProcessAlive } from '../main/processAlive.js';
import { writeAll } from '../main/store/atomicWrite.js';
import { type ModelFile, whisperModel } from './modelManifest.js';
import { type Progress, ensureModelsDir, installPartial } from './modelStore.js';

const log = getLogger('models');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const MAX_REDIRECTS = 5;
/** A stalled connection is given up after this long without a byte; the partial stays. */
const IDLE_MS = 60_000;

/** The code of a ToexError for a download whose bytes are not the manifest's. */
export const REFUSED = 'model-refused';

export interface FetchResult {
  id: string;
  file: string;
  sha256: string;
  /** Where the bytes came from (the last address after redirects, without a query). */
  from: string;
  /** Bytes that were already in the partial file from an interrupted fetch. */
  resumedAt: number;
  alreadyInstalled: boolean;
}

/** https anywhere; plain http only to this machine, which is what tests and a local mirror need. */
function checkedUrl(url: URL): URL {
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
  throw new ToexError(
    'bad-input',
    `${url.protocol}//${url.host} is refused: models are fetched over https (plain http only from 127.0.0.1 or localhost)`,
  );
}

function sourceUrl(file: ModelFile, from: string | undefined): URL {
  // The manifest check gives every Whisper model a URL.
  if (from === undefined) return checkedUrl(new URL(file.url!));
  let base: URL;
  try {
    base = new URL(from.endsWith('/') ? from : `${from}/`);
  } catch {
    throw new ToexError(
      'bad-input',
      '--from takes a base address such as https://mirror.example/models/',
    );
  }
  return checkedUrl(new URL(encodeURIComponent(file.name), base));
}

function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

// Not yet: fetch ignores HTTPS_PROXY and connects directly, so a machine that reaches the
// internet only through a proxy cannot fetch; download elsewhere and use `toex models import`.
function request(url: URL, offset: number): Promise<IncomingMessage> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  const headers: Record<string, string> = { 'user-agent': 'toex-models' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers }, resolve);
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ToexError(
          'storage',
          `${shown(url)} cannot be reached (${err.code ?? err.message}); nothing was installed`,
          { cause: err },
        ),
      ),
    );
    req.setTimeout(IDLE_MS, () => req.destroy(new Error('no answer for 60 s')));
  });
}

/** Follows redirects (each hop must pass the same address rules) to the response with the bytes. */
async function open(url: URL, offset: number): Promise<{ res: IncomingMessage; url: URL }> {
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await request(url, offset);
    const location = res.headers.location;
    if (res.statusCode !== undefined && [301, 302, 303, 307, 308].includes(res.statusCode)) {
      res.resume();
      if (!location) break;
      url = checkedUrl(new URL(location, url));
      continue;
    }
    return { res, url };
  }
  throw new ToexError('storage', `${shown(url)} redirects too often or nowhere`);
}

/** One fetch per model at a time: a second would write into the same partial file. */
function lock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw fromFsError(err, 'locking');
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isProcessAlive(holder)) {
        throw new ToexError('locked', `another fetch of this model is running (process ${holder})`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new ToexError('locked', 'the fetch lock cannot be taken');
}

async function hashExisting(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
}

/** The size of a regular file, else 0. */
function sizeOf(path: string): number {
  try {
    const stats = lstatSync(path);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}

/** What a partial file already holds; anything but a regular file in its place is removed. */
function partialSize(path: string): number {
  const size = sizeOf(path);
  if (size === 0) rmSync(path, { force: true, recursive: true });
  return size;
}

function refused(message: string): ToexError {
  return new ToexError('bad-input', message, { code: REFUSED });
}

/** Where a 206 answer starts, and whether it describes the file the manifest means. */
function rangeStart(res: IncomingMessage, file: ModelFile): number | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
  if (!m) return undefined;
  if (m[3] !== '*' && Number(m[3]) !== file.size) return undefined;
  return Number(m[1]);
}

/**
 * Downloads a model into `<name>.partial` in the store, hashing as it goes,
 * and installs it only when size and sha256 match the manifest. An
 * interrupted transfer keeps its partial file, and the next fetch asks for
 * the rest with a Range request; bytes that do not match are deleted.
 */
export async function fetchModel(
  home: string,
  id: string,
  options: { from?: string; onProgress?: Progress } = {},
): Promise<FetchResult> {
  const entry = whisperModel(id);
  const file = entry.files[0]!;
  let url = sourceUrl(file, options.from);
  const dir = ensureModelsDir(home);
  const finalPath = join(dir, file.name);
  if (sizeOf(finalPath) === file.size) {
    const hash = createHash('sha256');
    await hashExisting(finalPath, hash);
    if (hash.digest('hex') === file.sha256) {
      return {
        id: entry.id,
        file: file.name,
        sha256: file.sha256,
        from: finalPath,
        resumedAt: 0,
        alreadyInstalled: true,
      };
    }
  }

  const unlock = lock(join(dir, `${file.name}.fetching`));
  const partial = join(dir, `${file.name}.partial`);
  try {
    let offset = partialSize(partial);
    if (offset > file.size) {
      rmSync(partial, { force: true });
      offset = 0;
    }
    let hash = createHash('sha256');
    if (offset > 0) await hashExisting(partial, hash);
    if (offset === file.size) {
      return finish(home, partial, file, hash, { id: entry.id, from: shown(url), resumedAt: 0 });
    }

    const opened = await open(url, offset);
    url = opened.url;
    const { res } = opened;
    if (res.statusCode === 200 && offset > 0) {
      // The server ignored the Range request: start again from the first byte.
      offset = 0;
      hash = createHash('sha256');
      rmSync(partial, { force: true });
    } else if (
      res.statusCode !== 200 &&
      !(res.statusCode === 206 && rangeStart(res, file) === offset)
    ) {
      res.resume();
      throw new ToexError(
        res.statusCode === 404 ? 'not-found' : 'storage',
        `${shown(url)} answered HTTP ${res.statusCode ?? '?'}${res.statusCode === 206 ? ' with another range than asked' : ''}; nothing was installed`,
      );
    }
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && offset + length !== file.size) {
      res.resume();
      rmSync(partial, { force: true });
      throw refused(
        `${shown(url)} offers ${offset + length} bytes, but ${file.name} is ${file.size}; nothing was installed`,
      );
    }

    const received = await receive(res, partial, offset, file, hash, options.onProgress);
    if (received < file.size) {
      throw new ToexError(
        'storage',
        `the download of ${file.name} stopped at ${received} of ${file.size} bytes; run the same fetch again to resume`,
      );
    }
    return finish(home, partial, file, hash, { id: entry.id, from: shown(url), resumedAt: offset });
  } finally {
    unlock();
  }
}

function finish(
  home: string,
  partial: string,
  file: ModelFile,
  hash: Hash,
  info: { id: string; from: string; resumedAt: number },
): FetchResult {
  const sha256 = hash.digest('hex');
  if (sha256 !== file.sha256) {
    rmSync(partial, { force: true });
    throw refused(
      `the downloaded ${file.name} has sha256 ${sha256}, not the manifest's; it was deleted, nothing was installed`,
    );
  }
  installPartial(home, partial, file);
  log.info({ modelId: info.id, sha256, resumedAt: info.resumedAt }, 'model fetched');
  return { ...info, file: file.name, sha256, alreadyInstalled: false };
}

/**
 * Appends the response body to the partial file, hashing it. A connection
 * that drops leaves what arrived (the next fetch resumes from it); a body
 * longer than the manifest's size is refused and deleted.
 */
async function receive(
  res: IncomingMessage,
  partial: string,
  offset: number,
  file: ModelFile,
  hash: Hash,
  onProgress: Progress | undefined,
): Promise<number> {
  let fd: number;
  try {
    const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW } = fsConstants;
    fd = openSync(partial, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
  } catch (err) {
    res.resume();
    throw fromFsError(err, `writing ${file.name}.partial`);
  }
  let done = offset;
  let tooLong = false;
  try {
    for await (const chunk of res) {
      const bytes = chunk as Buffer;
      if (done + bytes.length > file.size) {
        tooLong = true;
        break;
      }
      try {
        writeAll(fd, bytes);
      } catch (err) {
        throw fromFsError(err, `writing ${file.name}.partial`);
      }
      hash.update(bytes);
      done += bytes.length;
      onProgress?.(done, file.size, file.name);
    }
  } catch (err) {
    if (err instanceof ToexError) throw err;
    log.warn({ file: file.name, done }, 'download interrupted');
  } finally {
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  if (tooLong) {
    rmSync(partial, { force: true });
    throw refused(`the server sent more than ${file.size} bytes for ${file.name}; it was deleted`);
  }
  return done;
}
