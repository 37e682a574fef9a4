/**
 * A reader for just enough of Apple's typedstream (NSArchiver) format to take
 * the text out of an iMessage `attributedBody`: an archived
 * NSAttributedString whose first object after the class chain is its NSString.
 *
 * The stream is a header (a version byte, "streamtyped", the system version)
 * then tagged values. Small integers are one signed byte; 0x81 and 0x82 say a
 * 2- or 4-byte little-endian integer follows. 0x84 starts something new, 0x85
 * is nil, 0x86 ends an object, and bytes from 0x92 refer back to something
 * already read. A class is written as its name (a shared string), its version
 * and then its superclass, down to a nil or a reference to a class seen before.
 */

const MAGIC = Buffer.from('streamtyped', 'latin1');
const INT16 = 0x81;
const INT32 = 0x82;
const NEW = 0x84;
const NIL = 0x85;
const FIRST_REFERENCE = 0x92;
const STRING_CLASSES = new Set(['NSString', 'NSMutableString']);

/** Why a blob gave no text: named so a reviewer sees what was wrong with it. */
export class TypedStreamError extends Error {}

class Cursor {
  constructor(
    private readonly bytes: Buffer,
    public at = 0,
  ) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new TypedStreamError('the stream ends early');
    return this.bytes[this.at++]!;
  }

  peek(): number | undefined {
    return this.bytes[this.at];
  }

  integer(): number {
    const first = this.byte();
    if (first === INT16) return this.take(2).readInt16LE(0);
    if (first === INT32) return this.take(4).readInt32LE(0);
    return first > 0x7f ? first - 0x100 : first;
  }

  take(length: number): Buffer {
    if (length < 0 || this.at + length > this.bytes.length) {
      throw new TypedStreamError(`a ${length}-byte value runs past the end of the stream`);
    }
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }

  /** A shared string: new (0x84, length, bytes) or a reference to one read before. */
  sharedString(seen: string[]): string | null {
    const tag = this.byte();
    if (tag === NEW) {
      const text = this.take(this.integer()).toString('latin1');
      seen.push(text);
      return text;
    }
    if (tag >= FIRST_REFERENCE) return seen[tag - FIRST_REFERENCE] ?? null;
    throw new TypedStreamError(`expected a string, found tag 0x${tag.toString(16)}`);
  }
}

/**
 * The text of an archived NSAttributedString, as Messages stores it in
 * `message.attributedBody`. Throws a TypedStreamError naming what is wrong
 * when the blob is not a typedstream or holds no readable string.
 */
export function attributedBodyText(blob: Buffer): string {
  const cursor = new Cursor(blob);
  cursor.integer();
  if (cursor.integer() !== MAGIC.length || !cursor.take(MAGIC.length).equals(MAGIC)) {
    throw new TypedStreamError('not a typedstream');
  }
  cursor.integer();

  const at = findStringClass(blob, cursor.at);
  if (at === null) throw new TypedStreamError('no NSString in the stream');
  cursor.at = at;

  // The string class, then its superclasses down to a nil or a class seen already.
  const names: string[] = [];
  cursor.integer();
  while (cursor.peek() === NEW) {
    cursor.byte();
    cursor.sharedString(names);
    cursor.integer();
  }
  const end = cursor.byte();
  if (end !== NIL && end < FIRST_REFERENCE) {
    throw new TypedStreamError('the NSString class chain does not end');
  }

  // Its contents: the type "+" (bytes), then their length, then the UTF-8 itself.
  const types: string[] = [];
  const type = cursor.sharedString(types);
  if (type !== null && type !== '+') {
    throw new TypedStreamError(`the NSString holds type "${type}", not bytes`);
  }
  const bytes = cursor.take(cursor.integer());
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TypedStreamError('the NSString is not valid UTF-8');
  }
}

/**
 * Where the first NSString (or NSMutableString) class's version starts: just
 * after its name, written new as 0x84, length, name. Classes before it (the
 * attributed string's own chain) are passed over.
 */
function findStringClass(blob: Buffer, from: number): number | null {
  let best: number | null = null;
  for (const name of STRING_CLASSES) {
    const needle = Buffer.concat([Buffer.from([NEW, name.length]), Buffer.from(name, 'latin1')]);
    const found = blob.indexOf(needle, from);
    if (found >= 0 && (best === null || found < best)) best = found + needle.length;
  }
  return best;
}
