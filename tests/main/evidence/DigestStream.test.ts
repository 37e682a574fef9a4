import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { digestFile } from '../../../main/evidence/DigestStream.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('DigestStream', () => {
  const tempDir = useTempDirs();

  it.each([
    [
      'the empty file',
      '',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'd41d8cd98f00b204e9800998ecf8427e',
    ],
    [
      '"abc"',
      'abc',
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      '900150983cd24fb0d6963f7d28e17f72',
    ],
  ])('gives the published SHA-256 and MD5 of %s', async (_name, content, sha256, md5) => {
    const path = join(tempDir(), 'f');
    writeFileSync(path, content);
    expect(await digestFile(path)).toEqual({ size: content.length, sha256, md5 });
  });

  it('reports bytes as it goes and stops when aborted', async () => {
    const path = join(tempDir(), 'big');
    writeFileSync(path, Buffer.alloc(8 * 1024 * 1024, 7));
    const seen: number[] = [];
    await digestFile(path, { onBytes: (n) => seen.push(n) });
    expect(seen.at(-1)).toBe(8 * 1024 * 1024);
    expect(seen.length).toBeGreaterThan(1);

    const controller = new AbortController();
    controller.abort();
    await expect(digestFile(path, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
