import { describe, expect, it } from 'vitest';

import { isTarHeader, readTar } from '../../../../workers/ingest/formats/tarReader.js';
import { tarBytes } from '../../../helpers/fsArchive.js';

/** The tar as a stream of chunks of `size` bytes, as a file or a pipe would hand it on. */
async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function members(data: Buffer, size: number, read: (path: string) => boolean) {
  const out: [string, string, number, string | null][] = [];
  for await (const e of readTar(chunked(data, size))) {
    let text: string | null = null;
    if (read(e.path)) {
      const parts: Buffer[] = [];
      for await (const c of e.body()) parts.push(c);
      text = Buffer.concat(parts).toString('utf8');
    }
    out.push([e.path, e.type, e.size, text]);
  }
  return out;
}

const LONG = `${'very/deep/folder/'.repeat(8)}msgstore.db`;
const TREE = {
  'a/one.txt': Buffer.from('first'),
  [LONG]: Buffer.from('x'.repeat(1500)),
  'a/two.txt': Buffer.from('second ✓'),
};

describe('readTar', () => {
  it.each([
    ['pax', 7],
    ['pax', 512],
    ['gnu', 100_000],
  ] as const)(
    'reads %s long names and each body, in chunks of %i bytes, bodies left unread skipped',
    async (longNames, size) => {
      const tar = tarBytes(TREE, longNames);
      const got = await members(tar, size, (p) => p !== LONG);
      expect(got.filter(([, type]) => type === '0')).toEqual([
        ['a/one.txt', '0', 5, 'first'],
        [LONG, '0', 1500, null],
        ['a/two.txt', '0', 10, 'second ✓'],
      ]);
      expect(got.filter(([, type]) => type === '5').map(([p]) => p)).toContain('a/');
    },
  );

  it('tells a tar header by its checksum', () => {
    const tar = tarBytes(TREE);
    expect(isTarHeader(tar.subarray(0, 512))).toBe(true);
    const damaged = Buffer.from(tar.subarray(0, 512));
    damaged[0] ^= 1;
    expect(isTarHeader(damaged)).toBe(false);
    expect(isTarHeader(Buffer.alloc(512))).toBe(false);
  });

  it('fails a stream cut inside a body, and one with a damaged header, after the members before', async () => {
    const tar = tarBytes(TREE);
    const at = tar.indexOf(Buffer.from('second'));
    const seen: string[] = [];
    const walk = async (data: Buffer) => {
      for await (const e of readTar(chunked(data, 4096))) {
        seen.push(e.path);
        for await (const c of e.body()) expect(c.length).toBeGreaterThan(0);
      }
    };
    await expect(walk(tar.subarray(0, at + 3))).rejects.toThrow(
      'the tar stream ends inside a/two.txt: it is truncated',
    );
    expect(seen.at(-1)).toBe('a/two.txt');

    const damaged = Buffer.from(tar);
    damaged[at - 512] ^= 0x40;
    await expect(walk(damaged)).rejects.toThrow(
      'a tar header is damaged (its checksum does not hold)',
    );
  });
});
