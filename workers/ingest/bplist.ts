/**
 * Apple's binary property list (bplist00), as iOS writes it in message
 * blobs and backup manifests: a table of objects, each found by its offset,
 * referring to others by index. Hostile input is expected, so every offset
 * and length is checked against the data, nesting is bounded, and an object
 * that refers to itself is refused rather than followed for ever.
 */
export type PlistValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | Date
  | PlistValue[]
  | { [key: string]: PlistValue };

export class PlistError extends Error {}

const MAX_DEPTH = 64;
/** 2001-01-01T00:00:00Z in Unix ms: where Apple's dates count from. */
const APPLE_EPOCH_MS = 978_307_200_000;

export function isDictionary(v: PlistValue): v is { [key: string]: PlistValue } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !Buffer.isBuffer(v) &&
    !(v instanceof Date)
  );
}

export function isBinaryPlist(data: Buffer): boolean {
  return data.length >= 40 && data.subarray(0, 8).toString('latin1') === 'bplist00';
}

/** The whole property list's top object. */
export function readBinaryPlist(data: Buffer): PlistValue {
  if (!isBinaryPlist(data)) throw new PlistError('not a binary property list');
  const trailer = data.subarray(data.length - 32);
  const offsetSize = trailer[6]!;
  const refSize = trailer[7]!;
  const count = Number(trailer.readBigUInt64BE(8));
  const top = Number(trailer.readBigUInt64BE(16));
  const table = Number(trailer.readBigUInt64BE(24));
  if (
    offsetSize < 1 ||
    offsetSize > 8 ||
    refSize < 1 ||
    refSize > 8 ||
    table + count * offsetSize > data.length - 32
  ) {
    throw new PlistError('the offset table lies outside the data');
  }

  const uint = (at: number, size: number): number => {
    if (at < 0 || at + size > data.length) throw new PlistError('a number runs past the end');
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + data[at + i]!;
    return n;
  };
  const offsetOf = (ref: number): number => {
    if (ref >= count) throw new PlistError(`object ${ref} is not in the table`);
    const at = uint(table + ref * offsetSize, offsetSize);
    if (at >= data.length - 32) throw new PlistError(`object ${ref} lies outside the data`);
    return at;
  };
  /** An object's element count, and where its contents start. */
  const lengthAt = (at: number): [number, number] => {
    const low = data[at]! & 0x0f;
    if (low !== 0x0f) return [low, at + 1];
    const marker = data[at + 1];
    if (marker === undefined || marker >> 4 !== 0x1) throw new PlistError('a bad length');
    const size = 1 << (marker & 0x0f);
    return [uint(at + 2, size), at + 2 + size];
  };
  const bytes = (from: number, length: number): Buffer => {
    if (from + length > data.length) throw new PlistError('an object runs past the end');
    return data.subarray(from, from + length);
  };

  /** A list claiming more references than the data could hold is refused before any is read. */
  const refsFit = (from: number, n: number) => {
    if (from + n * refSize > data.length) {
      throw new PlistError(`a list of ${n} objects runs past the end`);
    }
  };

  const read = (ref: number, path: Set<number>): PlistValue => {
    if (path.has(ref)) throw new PlistError('an object contains itself');
    if (path.size >= MAX_DEPTH) throw new PlistError('objects nest too deeply');
    const at = offsetOf(ref);
    const marker = data[at]!;
    const kind = marker >> 4;
    const inner = new Set(path).add(ref);
    switch (kind) {
      case 0x0:
        if (marker === 0x08) return false;
        if (marker === 0x09) return true;
        return null;
      case 0x1: {
        const size = 1 << (marker & 0x0f);
        const b = bytes(at + 1, size);
        if (size === 8) {
          const n = b.readBigInt64BE();
          return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(n)
            : n;
        }
        if (size > 8) throw new PlistError('an integer wider than 64 bits');
        return uint(at + 1, size);
      }
      case 0x2: {
        const size = 1 << (marker & 0x0f);
        if (size === 4) return bytes(at + 1, 4).readFloatBE();
        if (size === 8) return bytes(at + 1, 8).readDoubleBE();
        throw new PlistError('a real of an unknown width');
      }
      case 0x3:
        return new Date(APPLE_EPOCH_MS + bytes(at + 1, 8).readDoubleBE() * 1000);
      case 0x4: {
        const [n, from] = lengthAt(at);
        return bytes(from, n);
      }
      case 0x5: {
        const [n, from] = lengthAt(at);
        return bytes(from, n).toString('latin1');
      }
      case 0x6: {
        const [n, from] = lengthAt(at);
        // Copied before swapping: swap16 works in place, and the data is the caller's.
        return Buffer.from(bytes(from, n * 2))
          .swap16()
          .toString('utf16le');
      }
      case 0x8:
        return uint(at + 1, (marker & 0x0f) + 1);
      case 0xa:
      case 0xc: {
        const [n, from] = lengthAt(at);
        refsFit(from, n);
        return Array.from({ length: n }, (_, i) => read(uint(from + i * refSize, refSize), inner));
      }
      case 0xd: {
        const [n, from] = lengthAt(at);
        refsFit(from, 2 * n);
        const out: { [key: string]: PlistValue } = {};
        for (let i = 0; i < n; i++) {
          const key = read(uint(from + i * refSize, refSize), inner);
          if (typeof key !== 'string') throw new PlistError('a dictionary key is not a string');
          out[key] = read(uint(from + (n + i) * refSize, refSize), inner);
        }
        return out;
      }
      default:
        throw new PlistError(`an object of unknown type 0x${marker.toString(16)}`);
    }
  };
  return read(top, new Set());
}
