import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

import { ToexError, fromFsError } from '../errors.js';
import { writeFileAtomic } from '../store/atomicWrite.js';

/**
 * Where an export is to go, and a writer that puts its bytes there whole or
 * not at all. A file already there is refused: an export goes to
 * disclosure, and replacing an earlier one unseen would lose it.
 */
export function exportTarget(given: string): { path: string; write: (bytes: Buffer) => void } {
  const path = resolve(given);
  if (existsSync(path)) throw new ToexError('conflict', `${given} already exists`);
  return {
    path,
    write: (bytes) => {
      try {
        writeFileAtomic(path, bytes, 0o600);
      } catch (err) {
        throw fromFsError(err, given);
      }
    },
  };
}
