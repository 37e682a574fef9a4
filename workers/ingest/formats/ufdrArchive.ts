import { closeSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { constants, inflateRawSync } from 'node:zlib';

import yauzl from 'yauzl';

import { ToexError } from '../../../main/errors.js';

export const CELLEBRITE_NS = 'http://pa.cellebrite.com/report/2.0';
export const REPORT_NAME = 'report.xml';

/** Past this many entries an archive is refused: real UFDRs hold far fewer, a hostile one more. */
export const MAX_ENTRIES = 2_000_000;
/** report.xml may be large, but not this large. */
export const MAX_REPORT_BYTES = 64 * 2 ** 30;
/**
 * Deflate cannot shrink anything by much more than 1032 to 1, and even XML's
 * repeated tags stay far below it; a ratio past this is a crafted bomb.
 */
export const MAX_RATIO = 1000;

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const PROLOG =
  /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>\s*)?<project\b([^>]*)>/;

/** True when the text opens with Cellebrite's report root, `<project xmlns=…/report/2.0>`. */
export function isReportXml(head: Buffer): boolean {
  const m = PROLOG.exec(head.toString('utf8'));
  return (
    m !== null &&
    new RegExp(`\\bxmlns\\s*=\\s*["']${CELLEBRITE_NS.replace(/\./g, '\\.')}["']`).test(m[1]!)
  );
}

export function isZip(head: Buffer): boolean {
  return head.subarray(0, 4).equals(ZIP_MAGIC);
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  return buf.subarray(0, readSync(fd, buf, 0, length, position));
}

/** The central directory's place, from the end record (and its ZIP64 form). */
function centralDirectory(fd: number, size: number): { offset: number; size: number } | null {
  const tailStart = Math.max(0, size - 65_557);
  const tail = readAt(fd, tailStart, size - tailStart);
  const at = tail.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1'));
  if (at < 0 || at + 22 > tail.length) return null;
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (cdOffset === 0xffffffff && at >= 20 && tail.readUInt32LE(at - 20) === 0x07064b50) {
    const z64 = readAt(fd, Number(tail.readBigUInt64LE(at - 12)), 56);
    if (z64.length < 56 || z64.readUInt32LE(0) !== 0x06064b50) return null;
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  return { offset: cdOffset, size: cdSize };
}

/**
 * For detection only, without unpacking: does this zip hold a report.xml at
 * its root whose first bytes are Cellebrite's report? An encrypted report.xml
 * counts, so that reading it can refuse it in words rather than as unknown.
 */
export function zipHoldsReport(path: string, size: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const cd = centralDirectory(fd, size);
    if (!cd || cd.offset + cd.size > size) return false;
    // Read the directory in slices: a million entries must not be read at once.
    const SLICE = 1 << 20;
    let pos = cd.offset;
    let buf = Buffer.alloc(0);
    const end = cd.offset + cd.size;
    while (pos < end || buf.length >= 46) {
      if (buf.length < 46 + 0xffff * 3 && pos < end) {
        buf = Buffer.concat([buf, readAt(fd, pos, Math.min(SLICE, end - pos))]);
        pos += SLICE;
        continue;
      }
      if (buf.length < 46 || buf.readUInt32LE(0) !== 0x02014b50) return false;
      const nameLength = buf.readUInt16LE(28);
      const recordLength = 46 + nameLength + buf.readUInt16LE(30) + buf.readUInt16LE(32);
      const name = buf.subarray(46, 46 + nameLength).toString('utf8');
      if (name === REPORT_NAME) {
        if (buf.readUInt16LE(8) & 1) return true;
        return reportHeadIsCellebrite(fd, buf.readUInt32LE(42), buf.readUInt16LE(10));
      }
      buf = buf.subarray(recordLength);
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

function reportHeadIsCellebrite(fd: number, localOffset: number, method: number): boolean {
  const local = readAt(fd, localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) return false;
  const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const raw = readAt(fd, dataStart, 16 * 1024);
  if (method === 0) return isReportXml(raw);
  if (method !== 8) return false;
  try {
    // A slice of a deflate stream: flush what it yields rather than demand its end.
    const text = inflateRawSync(raw, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: 1 << 20,
    });
    return isReportXml(text);
  } catch {
    return false;
  }
}

export interface OpenedArchive {
  report: Readable;
  /** report.xml's unpacked size, the whole its stream's bytes are counted against. */
  reportBytes: number;
  /** The CRC-32 the archive records for report.xml; yauzl does not check it. */
  reportCrc: number;
  /** Every file name the archive holds, as written, for checking attachment paths. */
  names: Set<string>;
  /** Entries whose names could not be safely used (absolute, `..`, NUL): counted, never opened. */
  unsafeNames: number;
  close(): void;
}

function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  // Bit 11 says UTF-8; older tools wrote code page 437, of which Latin-1 keeps the ASCII part.
  return raw.toString(entry.generalPurposeBitFlag & 0x800 ? 'utf8' : 'latin1');
}

/**
 * Opens report.xml inside a UFDR zip as a stream, after listing the archive.
 * Names are kept raw (decodeStrings off) so that one hostile entry name is
 * counted and passed over instead of failing the whole archive.
 */
export async function openUfdrArchive(
  path: string,
  limits = { maxEntries: MAX_ENTRIES },
): Promise<OpenedArchive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false }, (err, z) =>
      err ? reject(err) : resolve(z),
    ),
  ).catch((err: Error) => {
    throw new ToexError('bad-input', `the UFDR archive cannot be read: ${err.message}`);
  });
  const close = () => zip.close();
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ToexError(
        'bad-input',
        `the UFDR archive lists ${zip.entryCount} entries, over the ${limits.maxEntries} TOEX reads`,
      );
    }
    const names = new Set<string>();
    let unsafeNames = 0;
    let report: yauzl.Entry | undefined;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entryName(entry);
        if (
          name.includes('\0') ||
          name.startsWith('/') ||
          /^[a-z]:/i.test(name) ||
          name.replace(/\\/g, '/').split('/').includes('..')
        ) {
          unsafeNames += 1;
        } else {
          names.add(name);
          if (name === REPORT_NAME && !report) report = entry;
        }
        zip.readEntry();
      });
      zip.once('end', () => resolve());
      zip.once('error', reject);
      zip.readEntry();
    }).catch((err: unknown) => {
      if (err instanceof ToexError) throw err;
      throw new ToexError(
        'bad-input',
        `the UFDR archive's directory cannot be read: ${(err as Error).message}`,
      );
    });
    if (!report) throw new ToexError('bad-input', 'the UFDR archive holds no report.xml');
    if (report.isEncrypted()) {
      throw new ToexError(
        'bad-input',
        'report.xml in the UFDR archive is encrypted; TOEX does not read encrypted entries',
      );
    }
    if (report.uncompressedSize > MAX_REPORT_BYTES) {
      throw new ToexError(
        'bad-input',
        `report.xml would unpack to ${report.uncompressedSize} bytes, over the ${MAX_REPORT_BYTES} TOEX reads`,
      );
    }
    if (
      report.uncompressedSize > MAX_RATIO * Math.max(1, report.compressedSize) &&
      report.uncompressedSize > 1 << 20
    ) {
      throw new ToexError(
        'bad-input',
        `report.xml would unpack ${Math.round(report.uncompressedSize / Math.max(1, report.compressedSize))} times its packed size: refused as a zip bomb`,
      );
    }
    const entry = report;
    const stream = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
    ).catch((err: Error) => {
      throw new ToexError('bad-input', `report.xml cannot be unpacked: ${err.message}`);
    });
    return {
      report: stream,
      reportBytes: entry.uncompressedSize,
      reportCrc: entry.crc32,
      names,
      unsafeNames,
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}
