import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes all of `bytes` at the file's position. One write may take only part
 * of what it is given (a nearly full disk does exactly that, without an
 * error), so it goes on until all is written or the disk says why not.
 */
export function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(fd, bytes, done, bytes.length - done);
  }
}

/**
 * Replaces a small file so that a crash at any moment leaves either the old
 * content or the new, never a torn mix: write a sibling, flush it, rename it
 * over the target, then flush the folder so the rename itself is durable.
 */
export function writeFileAtomic(path: string, content: string | Buffer, mode = 0o600): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w', mode);
  try {
    writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, path);
  fsyncFolder(dirname(path));
}

export function fsyncFolder(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
