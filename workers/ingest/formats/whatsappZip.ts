import type { Readable } from 'node:stream';

import { Inflate } from 'fflate';
import yauzl from 'yauzl';

/** More entries than a chat with its media could hold: a hostile archive. */
export const MAX_ENTRIES = 50_000;
/**
 * The most one chat text may inflate to, and all of an archive's chat texts together. yauzl
 * checks each entry's inflated size against the size it declares, so a lying header cannot
 * slip past these.
 */
export const MAX_CHAT_BYTES = 1 << 30;
export const MAX_TOTAL_CHAT_BYTES = 2 * MAX_CHAT_BYTES;
/** A chat text packed tighter than this is a zip bomb, not prose. */
export const MAX_RATIO = 200;
/** Past this, a single line is cut and flagged; it would otherwise all sit in memory. */
export const MAX_LINE_BYTES = 4 << 20;

/** A zip entry that passed the checks, with its name as the archive gives it. */
export interface SafeEntry {
  path: string;
  size: number;
  compressedSize: number;
  entry: yauzl.Entry;
}

export interface ZipListing {
  zip: yauzl.ZipFile;
  entries: SafeEntry[];
  /** Entries refused, each with why, in archive order. */
  refused: { path: string; reason: string }[];
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export function isZip(head: Buffer): boolean {
  return head.subarray(0, 4).equals(ZIP_MAGIC);
}

/** Why an entry's name is unsafe to use as a path, or null when it is fine. */
export function unsafeName(name: string): string | null {
  if (name.includes('\\')) return 'its name holds a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'its name is an absolute path';
  if (name.split('/').includes('..')) return 'its name climbs out of the archive (..)';
  if (name.includes('\0')) return 'its name holds a NUL byte';
  return null;
}

/**
 * Lists the archive's entries without inflating any, refusing each that is
 * encrypted, unsafely named, or past the entry count.
 */
export async function listZip(path: string): Promise<ZipListing> {
  // Names are decoded here, not by yauzl, so a hostile name is one refusal, not an error that
  // ends the listing.
  const zip = await yauzl.openPromise(path, {
    lazyEntries: true,
    autoClose: false,
    decodeStrings: false,
    validateEntrySizes: true,
  });
  const entries: SafeEntry[] = [];
  const refused: ZipListing['refused'] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        raw,
        yauzl.parseExtraFields(entry.extraFieldRaw ?? Buffer.alloc(0)),
        // Strict, so a backslash is kept and refused rather than quietly made a slash.
        true,
      );
      if (entries.length + refused.length >= MAX_ENTRIES) {
        refused.push({ path: name, reason: `the archive holds over ${MAX_ENTRIES} entries` });
        resolve();
        return;
      }
      const reason =
        unsafeName(name) ??
        (entry.isEncrypted() ? 'it is encrypted' : null) ??
        (name.endsWith('/') || entry.canDecodeFileData() ? null : 'its compression is unknown');
      if (reason) refused.push({ path: name, reason });
      else if (!name.endsWith('/')) {
        entries.push({
          path: name,
          size: entry.uncompressedSize,
          compressedSize: entry.compressedSize,
          entry,
        });
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
  return { zip, entries, refused };
}

/**
 * Why a chat text entry is not read (a bomb by size or ratio, or past the archive's total
 * after `before` bytes of chat texts already taken), or null.
 */
export function bombReason(
  e: Pick<SafeEntry, 'size' | 'compressedSize'>,
  before = 0,
): string | null {
  if (e.size > MAX_CHAT_BYTES) return `it would inflate to ${e.size} bytes`;
  if (before + e.size > MAX_TOTAL_CHAT_BYTES) {
    return `the archive's chat texts would inflate to over ${MAX_TOTAL_CHAT_BYTES} bytes`;
  }
  if (e.size > 1 << 20 && e.size > e.compressedSize * MAX_RATIO) {
    return `it is compressed ${Math.round(e.size / Math.max(1, e.compressedSize))} to 1`;
  }
  return null;
}

/** The entry's inflated bytes, at most `limit` of them. */
export async function* entryBytes(
  zip: yauzl.ZipFile,
  e: SafeEntry,
  limit = Infinity,
): AsyncGenerator<Buffer> {
  const stream: Readable = await zip.openReadStreamPromise(e.entry);
  let read = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      yield chunk;
      read += chunk.length;
      if (read >= limit) return;
    }
  } finally {
    stream.destroy();
  }
}

/**
 * The text at the start of the archive's first entries whose data lies within
 * `head`, for telling from content alone whether it holds a chat export.
 */
export function textsInHead(head: Buffer): string[] {
  const texts: string[] = [];
  let at = 0;
  while (at + 30 <= head.length && head.readUInt32LE(at) === 0x04034b50 && texts.length < 8) {
    const flags = head.readUInt16LE(at + 6);
    const method = head.readUInt16LE(at + 8);
    const compressed = head.readUInt32LE(at + 18);
    const nameLength = head.readUInt16LE(at + 26);
    const start = at + 30 + nameLength + head.readUInt16LE(at + 28);
    const data = head.subarray(start, compressed > 0 ? start + compressed : head.length);
    if ((flags & 1) === 0 && data.length > 0) {
      const text = method === 0 ? data : method === 8 ? inflatePartly(data) : null;
      if (text) texts.push(text.subarray(0, 4096).toString('utf8'));
    }
    // A size given only after the data (bit 3) leaves the next header's place unknown.
    if ((flags & 8) !== 0 || compressed === 0) break;
    at = start + compressed;
  }
  return texts;
}

function inflatePartly(data: Buffer): Buffer | null {
  const out: Uint8Array[] = [];
  try {
    const inflate = new Inflate((chunk) => {
      out.push(chunk);
    });
    inflate.push(data.subarray(0, 16 * 1024), false);
  } catch {
    return out.length ? Buffer.concat(out) : null;
  }
  return out.length ? Buffer.concat(out) : null;
}
