import { once } from 'node:events';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

import { Gunzip } from 'fflate';
import yauzl from 'yauzl';

import { ToexError } from '../../../main/errors.js';
import { isTarHeader, readTar } from './tarReader.js';

/** How the archive's members are laid out: a zip, or a tar that may be compressed whole. */
export type ArchiveLayout =
  { kind: 'zip' } | { kind: 'tar'; start: number; compression: 'gzip' | 'zlib' | null };

/** One file of the archive, in archive order; folders, links and devices are passed over. */
export interface ArchiveEntry {
  /** The path inside the archive, without a leading / or ./. */
  path: string;
  /** The size the archive declares for it. */
  size: number;
  /** What it takes up packed, in a zip; null in a tar, which is compressed whole if at all. */
  packedSize: number | null;
  /** Why it cannot be read (encrypted, unsafely named, a bomb), or null. */
  refused: string | null;
  /** Its bytes; a zip checks them against the declared size and fails the stream if they lie. */
  body(): AsyncIterable<Buffer>;
}

/** Deflate cannot shrink anything by much more than 1032 to 1: past this, a crafted bomb. */
export const MAX_RATIO = 1032;

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** Tells a zip, tar or gzip-compressed tar from its first bytes, whatever its name. */
export function archiveLayout(head: Buffer): ArchiveLayout | null {
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return { kind: 'zip' };
  if (isTarHeader(head.subarray(0, 512))) return { kind: 'tar', start: 0, compression: null };
  if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) {
    const first = gunzipStart(head.subarray(0, 4096));
    if (first && isTarHeader(first)) return { kind: 'tar', start: 0, compression: 'gzip' };
  }
  return null;
}

/** What the start of a gzip stream inflates to, or null when it is not one. */
function gunzipStart(slice: Buffer): Buffer | null {
  const out: Uint8Array[] = [];
  try {
    new Gunzip((chunk) => {
      out.push(chunk);
    }).push(slice, false);
  } catch {
    return null;
  }
  return Buffer.concat(out);
}

/** Why a member's name may not be used, or null. A leading / or ./ is dropped, as tar does. */
function nameProblem(name: string): string | null {
  if (name.includes('\0')) return 'its name holds a NUL byte';
  if (name.includes('\\')) return 'its name holds a backslash';
  if (/^[A-Za-z]:/.test(name)) return 'its name is a Windows drive path';
  if (name.split('/').includes('..')) return 'its name climbs out of the archive (..)';
  return null;
}

function cleanName(name: string): string {
  return name.replace(/^(\.?\/)+/, '');
}

/**
 * The archive's files, one at a time. `onProgress` hears how far through the
 * archive the walk is, as a fraction. A damaged directory or stream throws a
 * bad-input error after the entries read before it.
 */
export async function* archiveEntries(
  path: string,
  layout: ArchiveLayout,
  onProgress: (fraction: number) => void,
): AsyncGenerator<ArchiveEntry> {
  if (layout.kind === 'zip') yield* zipEntries(path, onProgress);
  else yield* tarEntries(path, layout, onProgress);
}

function nextZipEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (done(), resolve(e));
    const onEnd = () => (done(), resolve(null));
    const onError = (err: Error) => (done(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

async function* zipEntries(
  path: string,
  onProgress: (fraction: number) => void,
): AsyncGenerator<ArchiveEntry> {
  const zip = await yauzl
    .openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: true,
    })
    .catch((err: Error) => {
      throw new ToexError('bad-input', `the zip cannot be read: ${err.message}`);
    });
  try {
    for (let i = 0; ; i++) {
      const entry = await nextZipEntry(zip).catch((err: Error) => {
        throw new ToexError('bad-input', `the zip's directory is damaged: ${err.message}`);
      });
      if (!entry) return;
      onProgress(i / Math.max(1, zip.entryCount));
      // Names are decoded here, strictly, so a hostile one is refused rather than ending the walk.
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        raw,
        yauzl.parseExtraFields(entry.extraFieldRaw ?? Buffer.alloc(0)),
        true,
      );
      if (name.endsWith('/')) continue;
      const size = entry.uncompressedSize;
      const refused =
        nameProblem(name) ??
        (entry.isEncrypted() ? 'it is encrypted' : null) ??
        (entry.canDecodeFileData() ? null : 'its compression is unknown') ??
        (size > 1 << 20 && size > MAX_RATIO * Math.max(1, entry.compressedSize)
          ? `it claims to unpack ${Math.round(size / Math.max(1, entry.compressedSize))} times its packed size: a zip bomb`
          : null);
      yield {
        path: cleanName(name),
        size,
        packedSize: entry.compressedSize,
        refused,
        body: async function* () {
          const stream: Readable = await zip.openReadStreamPromise(entry);
          try {
            yield* stream as AsyncIterable<Buffer>;
          } finally {
            stream.destroy();
          }
        },
      };
    }
  } finally {
    zip.close();
  }
}

async function* tarEntries(
  path: string,
  layout: Extract<ArchiveLayout, { kind: 'tar' }>,
  onProgress: (fraction: number) => void,
): AsyncGenerator<ArchiveEntry> {
  const file = createReadStream(path, { start: layout.start, highWaterMark: 256 * 1024 });
  const size = Math.max(1, statSync(path).size - layout.start);
  const stream: Readable =
    layout.compression === 'gzip'
      ? file.pipe(createGunzip())
      : layout.compression === 'zlib'
        ? file.pipe(createInflate())
        : file;
  file.on('error', (err) => stream.destroy(err));
  try {
    for await (const member of readTar(stream as AsyncIterable<Buffer>)) {
      onProgress(file.bytesRead / size);
      if (member.type !== '0' && member.type !== '7') continue;
      yield {
        path: cleanName(member.path),
        size: member.size,
        packedSize: null,
        refused: nameProblem(member.path),
        body: () => member.body(),
      };
    }
  } catch (err) {
    if (err instanceof ToexError) throw err;
    throw new ToexError('bad-input', `the tar stream cannot be read: ${(err as Error).message}`);
  } finally {
    stream.destroy();
    file.destroy();
  }
}

const HEAD_BYTES = 64 * 1024;

/** The entry's first bytes (up to HEAD_BYTES) and an iterator that carries on after them. */
export async function headOf(entry: ArchiveEntry) {
  const it = entry.body()[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let got = 0;
  let ended = false;
  while (got < HEAD_BYTES) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    parts.push(next.value);
    got += next.value.length;
  }
  return { head: Buffer.concat(parts), rest: ended ? null : it, close: () => it.return?.() };
}

/** Writes `head` and what follows it to `path`, refusing more than `limit` bytes. */
export async function unpack(
  path: string,
  head: Buffer,
  rest: AsyncIterator<Buffer> | null,
  limit: number,
): Promise<number> {
  const out = createWriteStream(path, { mode: 0o600 });
  // A write that fails (a full disk) between awaits must fail this copy, not the process.
  let failed: Error | null = null;
  out.on('error', (err) => (failed = err));
  let written = 0;
  const write = async (chunk: Buffer) => {
    written += chunk.length;
    if (written > limit) throw new ToexError('bad-input', `it unpacks past ${limit} bytes`);
    if (failed) throw failed;
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    await write(head);
    for (let next = await rest?.next(); next && !next.done; next = await rest!.next()) {
      await write(next.value);
    }
  } finally {
    out.end();
    if (!out.closed) await once(out, 'close').catch(() => {});
  }
  if (failed) {
    throw new ToexError(
      'storage',
      `the working copy cannot be written: ${(failed as Error).message}`,
    );
  }
  return written;
}
