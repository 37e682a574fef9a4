import { lstat } from 'node:fs/promises';

import { digestFile } from '../../main/evidence/DigestStream.js';
import { serveJob } from '../serveJob.js';

/** Input to the re-hash worker: the stored copies still to check, with their recorded sizes. */
export interface HashInput {
  items: { id: number; path: string; size: number }[];
}

/** One file's outcome. The worker only measures; main decides ok or mismatch. */
export type HashPartial =
  | { id: number; state: 'hashed'; size: number; sha256: string; md5: string; mode: number }
  | { id: number; state: 'missing' | 'unreadable' | 'replaced'; detail: string };

const PROGRESS_EVERY_MS = 100;

function kindOf(stat: Awaited<ReturnType<typeof lstat>>): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'a device';
}

/**
 * A stored copy is only ever a plain file that nobody may write. Anything
 * else in its place (a link to a file elsewhere, a pipe that never ends, a
 * device that never stops giving bytes) is reported, never followed, and no
 * copy is read past one byte more than its recorded size.
 */
async function hashOne(
  item: HashInput['items'][number],
  signal: AbortSignal,
  onBytes: (bytes: number) => void,
): Promise<HashPartial> {
  let stat;
  try {
    stat = await lstat(item.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { id: item.id, state: 'missing', detail: 'the stored copy is missing' };
    }
    throw err;
  }
  if (!stat.isFile()) {
    return {
      id: item.id,
      state: 'replaced',
      detail: `the stored copy has been replaced by ${kindOf(stat)}`,
    };
  }

  try {
    const digest = await digestFile(item.path, {
      signal,
      onBytes,
      maxBytes: item.size + 1,
      noFollow: true,
    });
    return { id: item.id, state: 'hashed', ...digest, mode: stat.mode & 0o7777 };
  } catch (err) {
    if (signal.aborted) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      return {
        id: item.id,
        state: 'replaced',
        detail: 'the stored copy has been replaced by a symbolic link',
      };
    }
    if (code === 'ENOENT') {
      return { id: item.id, state: 'missing', detail: 'the stored copy is missing' };
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EIO') {
      return {
        id: item.id,
        state: 'unreadable',
        detail: `the stored copy cannot be read (${code})`,
      };
    }
    throw err;
  }
}

serveJob<HashInput, HashPartial>(async (input, io) => {
  const total = input.items.reduce((sum, item) => sum + item.size, 0);
  let done = 0;
  let lastReport = 0;

  for (const item of input.items) {
    io.signal.throwIfAborted();
    const partial = await hashOne(item, io.signal, (bytes) => {
      const now = Date.now();
      if (now - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = now;
      io.progress(done + Math.min(bytes, item.size), total, 'hashing');
    });
    io.partial(partial);
    done += item.size;
    io.progress(done, total, 'hashing');
  }
});
