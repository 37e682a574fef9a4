import { digestFile } from '../../main/evidence/DigestStream.js';
import { serveJob } from '../serveJob.js';

/** Input to the re-hash worker: the stored copies still to check. */
export interface HashInput {
  items: { id: number; path: string; size: number }[];
}

/** One file's outcome. The worker only measures; main decides ok or mismatch. */
export type HashPartial =
  | { id: number; state: 'hashed'; size: number; sha256: string; md5: string }
  | { id: number; state: 'missing' | 'unreadable'; detail: string };

const PROGRESS_EVERY_MS = 100;

serveJob<HashInput, HashPartial>(async (input, io) => {
  const total = input.items.reduce((sum, item) => sum + item.size, 0);
  let done = 0;
  let lastReport = 0;

  for (const item of input.items) {
    io.signal.throwIfAborted();
    try {
      const digest = await digestFile(item.path, {
        signal: io.signal,
        onBytes: (bytes) => {
          const now = Date.now();
          if (now - lastReport < PROGRESS_EVERY_MS) return;
          lastReport = now;
          io.progress(done + bytes, total, 'hashing');
        },
      });
      io.partial({ id: item.id, state: 'hashed', ...digest });
    } catch (err) {
      if (io.signal.aborted) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') io.partial({ id: item.id, state: 'missing', detail: 'the stored copy is missing' });
      else if (code === 'EACCES' || code === 'EPERM' || code === 'EIO' || code === 'EISDIR') {
        io.partial({ id: item.id, state: 'unreadable', detail: `the stored copy cannot be read (${code})` });
      } else throw err;
    }
    done += item.size;
    io.progress(done, total, 'hashing');
  }
});
