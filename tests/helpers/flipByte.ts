import { chmodSync, closeSync, openSync, readSync, writeSync } from 'node:fs';

/** Flips one byte of a file in place, keeping its size: a copy altered as quietly as possible. */
export function flipByte(path: string, at: number): void {
  chmodSync(path, 0o644);
  const fd = openSync(path, 'r+');
  try {
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, at);
    one[0] = one[0]! ^ 0xff;
    writeSync(fd, one, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}
