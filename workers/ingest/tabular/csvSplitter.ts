import { TextDecoder } from 'node:util';

import type { CsvFile, Encoding } from './exportMapping.js';

/** One CSV record as read, its fields decoded. */
export interface CsvRow {
  /** The 1-based line the record starts on. */
  line: number;
  fields: string[];
  /** invalid-utf8, invalid-utf16, text-after-quote, row-truncated. */
  flags: string[];
  /** Bytes into the file just past the record, for progress. */
  end: number;
}

/** A quote opened and never closed before the file ended. */
export interface OpenQuote {
  line: number;
  /** Where the record's first line ends, for reading on from the next; null if it never ends. */
  resumeAt: number | null;
}

/** Past this a record's bytes are dropped and it is flagged: a stray quote must not fill memory. */
export const MAX_ROW_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

type State = 'start' | 'plain' | 'quoted' | 'quote-in-quoted';

const DECODERS: Record<Exclude<Encoding, 'auto'>, [TextDecoder, TextDecoder]> = {
  'utf-8': [new TextDecoder('utf-8', { fatal: true }), new TextDecoder('utf-8')],
  'utf-16le': [new TextDecoder('utf-16le', { fatal: true }), new TextDecoder('utf-16le')],
  'utf-16be': [new TextDecoder('utf-16be', { fatal: true }), new TextDecoder('utf-16be')],
  'windows-1252': [new TextDecoder('windows-1252'), new TextDecoder('windows-1252')],
};

/** The encoding a file's first bytes declare, and how many bytes the mark takes. */
export function sniffEncoding(
  head: Buffer,
  declared: Encoding,
): { encoding: Exclude<Encoding, 'auto'>; bom: number } {
  const starts = (...b: number[]) => b.every((x, i) => head[i] === x);
  if (starts(0xef, 0xbb, 0xbf) && (declared === 'auto' || declared === 'utf-8')) {
    return { encoding: 'utf-8', bom: 3 };
  }
  if (starts(0xff, 0xfe) && (declared === 'auto' || declared === 'utf-16le')) {
    return { encoding: 'utf-16le', bom: 2 };
  }
  if (starts(0xfe, 0xff) && (declared === 'auto' || declared === 'utf-16be')) {
    return { encoding: 'utf-16be', bom: 2 };
  }
  return { encoding: declared === 'auto' ? 'utf-8' : declared, bom: 0 };
}

/**
 * RFC 4180 records out of bytes pushed in any slices: quoted fields, line
 * breaks inside them, doubled quotes, CRLF, LF or bare CR. It works on code
 * units (bytes, or 16-bit units for UTF-16), since delimiter, quote and line
 * breaks are ASCII and never part of a longer UTF-8 sequence; each field is
 * decoded once whole, so bad bytes are replaced and the record flagged.
 */
export class CsvSplitter {
  private readonly width: 1 | 2;
  private readonly bigEndian: boolean;
  private readonly delimiter: number;
  private readonly quote: number;
  private readonly decoders: [TextDecoder, TextDecoder];

  private state: State = 'start';
  private field = Buffer.alloc(1024);
  private fieldLength = 0;
  private fields: Buffer[] = [];
  private rowBytes = 0;
  private flags = new Set<string>();
  private afterCR = false;
  private carry: number | null = null;
  private rowLine: number;
  private firstLineEnd: number | null = null;
  private rows: CsvRow[] = [];

  constructor(
    private readonly file: CsvFile,
    readonly encoding: Exclude<Encoding, 'auto'>,
    /** Bytes into the file of the first byte pushed. */
    private offset: number,
    private line = 1,
  ) {
    this.width = encoding.startsWith('utf-16') ? 2 : 1;
    this.bigEndian = encoding === 'utf-16be';
    this.delimiter = file.delimiter.charCodeAt(0);
    this.quote = file.quote === null ? -1 : file.quote.charCodeAt(0);
    this.decoders = DECODERS[encoding];
    this.rowLine = line;
  }

  /** Reads a slice; returns the records it completed. */
  push(chunk: Buffer): CsvRow[] {
    let i = 0;
    if (this.carry !== null && chunk.length) {
      this.unit(this.join(this.carry, chunk[0]!), 2);
      this.carry = null;
      i = 1;
    }
    const w = this.width;
    for (; i + w <= chunk.length; i += w) {
      this.unit(w === 1 ? chunk[i]! : this.join(chunk[i]!, chunk[i + 1]!), w);
    }
    if (i < chunk.length) this.carry = chunk[i]!;
    return this.rows.splice(0);
  }

  /** Ends the input: the last record, and the open quote if one was never closed. */
  end(): { rows: CsvRow[]; open: OpenQuote | null } {
    if (this.state === 'quoted') {
      return {
        rows: this.rows.splice(0),
        open: { line: this.rowLine, resumeAt: this.firstLineEnd },
      };
    }
    if (this.state !== 'start' || this.fields.length > 0) this.endRow();
    return { rows: this.rows.splice(0), open: null };
  }

  private join(a: number, b: number): number {
    return this.bigEndian ? (a << 8) | b : a | (b << 8);
  }

  private unit(u: number, w: number): void {
    this.offset += w;
    if (this.afterCR) {
      this.afterCR = false;
      if (u === LF) return;
    }
    switch (this.state) {
      case 'start':
        if (this.file.trim && (u === 0x20 || u === 0x09)) return;
        if (u === this.quote) this.state = 'quoted';
        else if (u === this.delimiter) this.endField();
        else if (u === LF || u === CR) this.lineBreak(u);
        else this.take(u, 'plain');
        return;
      case 'plain':
        if (u === this.delimiter) this.endField();
        else if (u === LF || u === CR) this.lineBreak(u);
        else this.take(u, 'plain');
        return;
      case 'quoted':
        if (u === this.quote) {
          this.state = 'quote-in-quoted';
          return;
        }
        if (u === LF) {
          this.line += 1;
          this.firstLineEnd ??= this.offset;
        }
        this.take(u, 'quoted');
        return;
      case 'quote-in-quoted':
        if (u === this.quote) this.take(u, 'quoted');
        else if (u === this.delimiter) this.endField();
        else if (u === LF || u === CR) this.lineBreak(u);
        else if (this.file.trim && (u === 0x20 || u === 0x09)) return;
        else {
          // Text after a closing quote breaks RFC 4180; it is kept, as most readers keep it.
          this.flags.add('text-after-quote');
          this.take(u, 'plain');
        }
        return;
    }
  }

  private take(u: number, next: State): void {
    this.state = next;
    const w = this.width;
    if (this.rowBytes + w > MAX_ROW_BYTES) {
      this.flags.add('row-truncated');
      return;
    }
    if (this.fieldLength + w > this.field.length) {
      const bigger = Buffer.alloc(this.field.length * 2);
      this.field.copy(bigger, 0, 0, this.fieldLength);
      this.field = bigger;
    }
    if (w === 1) this.field[this.fieldLength] = u;
    else if (this.bigEndian) this.field.writeUInt16BE(u, this.fieldLength);
    else this.field.writeUInt16LE(u, this.fieldLength);
    this.fieldLength += w;
    this.rowBytes += w;
  }

  private endField(): void {
    this.fields.push(Buffer.from(this.field.subarray(0, this.fieldLength)));
    this.fieldLength = 0;
    this.state = 'start';
  }

  private lineBreak(u: number): void {
    const blank = this.fields.length === 0 && this.state === 'start';
    if (!blank) this.endRow();
    this.line += 1;
    this.rowLine = this.line;
    this.firstLineEnd = null;
    if (u === CR) this.afterCR = true;
  }

  private endRow(): void {
    this.endField();
    const fields = this.fields.map((b) => this.decode(b));
    this.rows.push({ line: this.rowLine, fields, flags: [...this.flags], end: this.offset });
    this.fields = [];
    this.rowBytes = 0;
    this.flags = new Set();
  }

  private decode(bytes: Buffer): string {
    let text: string;
    try {
      text = this.decoders[0].decode(bytes);
    } catch {
      text = this.decoders[1].decode(bytes);
      this.flags.add(this.width === 2 ? 'invalid-utf16' : 'invalid-utf8');
    }
    return this.file.trim ? text.replace(/^[ \t]+|[ \t]+$/g, '') : text;
  }
}
