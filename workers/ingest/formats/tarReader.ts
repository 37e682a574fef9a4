import { ToexError } from '../../../main/errors.js';

const BLOCK = 512;

/** One member of a tar stream. Its bytes must be read, or left, before the next is asked for. */
export interface TarEntry {
  path: string;
  /** '0' a file, '5' a folder, '2' a symlink, and so on, as the header gives it. */
  type: string;
  size: number;
  body(): AsyncGenerator<Buffer>;
}

/** A pax header, a GNU long name or any such field whose value is wildly long: hostile. */
const MAX_META_BYTES = 1 << 20;

function octal(field: Buffer): number {
  // GNU base-256 for sizes past 8 GiB: the first byte's top bit set, big-endian after it.
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f;
    for (const b of field.subarray(1)) n = n * 256 + b;
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** True when `block` is a tar header whose checksum holds, summed unsigned or (old tars) signed. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < BLOCK) return false;
  const stored = octal(block.subarray(148, 156));
  if (!Number.isFinite(stored) || block.subarray(148, 156).every((b) => b === 0)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** Pulls exact byte counts out of a stream of chunks of any size. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.done) {
      const next = await this.it.next();
      if (next.done) this.done = true;
      else if (next.value.length) {
        this.chunks.push(next.value);
        this.buffered += next.value.length;
      }
    }
  }

  /** Up to `n` bytes, in one chunk taken from the front; fewer only at the stream's end. */
  async chunk(n: number): Promise<Buffer> {
    await this.fill(1);
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    const out = first.length <= n ? first : first.subarray(0, n);
    if (out === first) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= out.length;
    return out;
  }

  /** Exactly `n` bytes, or fewer at the stream's end. */
  async exactly(n: number): Promise<Buffer> {
    await this.fill(n);
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const c = await this.chunk(n - got);
      if (!c.length) break;
      parts.push(c);
      got += c.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const c = await this.chunk(Math.min(left, 1 << 20));
      if (!c.length) break;
      left -= c.length;
    }
    return n - left;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

function damaged(field: string): ToexError {
  return new ToexError('bad-input', `a tar header is damaged (its ${field} is not a number)`);
}

function truncated(what: string): ToexError {
  return new ToexError('bad-input', `the tar stream ends inside ${what}: it is truncated`);
}

/** The records of a pax extended header: `len key=value\n` each. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? NaN : parseInt(data.subarray(at, space).toString('latin1'), 10);
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

/**
 * Reads a tar stream one member at a time, in ustar, pax (path and size
 * records) and GNU (long names, base-256 sizes) forms. Memory holds one
 * header and the chunk in hand: a member's bytes pass through as they come.
 * A damaged header or a stream cut short ends the walk with a bad-input error.
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  let longName: string | null = null;
  let pax = new Map<string, string>();
  try {
    for (;;) {
      const header = await reader.exactly(BLOCK);
      if (header.length === 0) return;
      if (header.length < BLOCK) throw truncated('a header');
      if (header.every((b) => b === 0)) return;
      if (!isTarHeader(header)) {
        throw new ToexError('bad-input', 'a tar header is damaged (its checksum does not hold)');
      }
      const type = header[156] === 0 ? '0' : String.fromCharCode(header[156]!);
      const size = octal(header.subarray(124, 136));
      if (!Number.isSafeInteger(size) || size < 0) throw damaged('size');
      const padded = Math.ceil(size / BLOCK) * BLOCK;

      // A global pax header ('g') sets defaults such as times and owners, none of which TOEX uses.
      if (type === 'x' || type === 'g' || type === 'L') {
        if (size > MAX_META_BYTES) {
          throw new ToexError('bad-input', `a tar metadata header claims ${size} bytes`);
        }
        const data = await reader.exactly(padded);
        if (data.length < padded) throw truncated('a metadata header');
        const body = data.subarray(0, size);
        if (type === 'L') longName = text(body);
        else if (type === 'x') pax = paxRecords(body);
        continue;
      }

      const prefix =
        header.subarray(257, 263).toString('latin1') === 'ustar\0'
          ? text(header.subarray(345, 500))
          : '';
      const name = text(header.subarray(0, 100));
      const path = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${name}` : name);
      const paxSize = pax.get('size');
      const length = paxSize !== undefined ? Number(paxSize) : size;
      if (!Number.isSafeInteger(length) || length < 0) throw damaged('pax size');
      const span = Math.ceil(length / BLOCK) * BLOCK;
      longName = null;
      pax = new Map();

      let read = 0;
      let passed = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        if (passed) return;
        passed = true;
        while (read < length) {
          const c = await reader.chunk(length - read);
          if (!c.length) throw truncated(path);
          read += c.length;
          yield c;
        }
      };
      yield { path, type, size: length, body };
      passed = true;
      const rest = length - read;
      if ((await reader.skip(rest)) < rest) throw truncated(path);
      await reader.skip(span - length);
    }
  } finally {
    await reader.close();
  }
}
