import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How the fixture's bytes are written: with or without a byte-order mark. */
export type FixtureEncoding =
  'utf-8' | 'utf-8-bom' | 'utf-16le-bom' | 'utf-16be-bom' | 'utf-16le' | 'windows-1252';

export interface CsvOptions {
  delimiter?: string;
  eol?: string;
  /** Quote every field, as some tools do, not only those that need it. */
  quoteAll?: boolean;
}

/** One field as RFC 4180 writes it: quoted when it holds the delimiter, a quote or a line break. */
export function csvField(value: string, delimiter = ',', quoteAll = false): string {
  const needs = quoteAll || value.includes(delimiter) || /["\r\n]/.test(value);
  return needs ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A whole CSV text: the header row, then the rows, each line ended by `eol`. */
export function csvText(header: string[], rows: string[][], options: CsvOptions = {}): string {
  const { delimiter = ',', eol = '\r\n', quoteAll = false } = options;
  return [header, ...rows]
    .map((r) => r.map((f) => csvField(f, delimiter, quoteAll)).join(delimiter) + eol)
    .join('');
}

/** Text as bytes in the given encoding. windows-1252 takes only characters below U+0100. */
export function encodeText(text: string, encoding: FixtureEncoding): Buffer {
  const le = Buffer.from(text, 'utf16le');
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      return le;
    case 'utf-16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
    case 'utf-16be-bom':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
    case 'windows-1252':
      if ([...text].some((c) => c.codePointAt(0)! > 0xff)) {
        throw new Error('the windows-1252 fixture takes only Latin-1 characters');
      }
      return Buffer.from(text, 'latin1');
  }
}

/** Writes a CSV export as another tool would: `name` in `dir`, in `encoding`. */
export function writeCsvExport(
  dir: string,
  name: string,
  header: string[],
  rows: string[][],
  options: CsvOptions & { encoding?: FixtureEncoding } = {},
): string {
  const path = join(dir, name);
  writeFileSync(path, encodeText(csvText(header, rows, options), options.encoding ?? 'utf-8'));
  return path;
}

/** Writes raw bytes as an export, for quirks no well-formed writer makes. */
export function writeRawExport(dir: string, name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Writes a JSON export. */
export function writeJsonExport(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/** Writes a mapping file as a user would, and returns its path. */
export function writeMappingFile(dir: string, mapping: unknown, name = 'mapping.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(mapping, null, 2));
  return path;
}

/** The generic layout's header, in order (the built-in generic-messages mapping). */
export const GENERIC_HEADER = [
  'thread',
  'sender',
  'sender_name',
  'recipients',
  'direction',
  'time',
  'body',
  'service',
  'deleted',
  'attachment',
];

/** A message export in a layout of no tool's, read through a mapping the test writes. */
export const CUSTOM_HEADER = ['Chat', 'Party', 'Name', 'Dir', 'When', 'Text', 'App', 'Del', 'File'];

/** A mapping for CUSTOM_HEADER rows: day-first local times in a zone, value-mapped direction. */
export function customMapping(overrides: Record<string, unknown> = {}) {
  return {
    mapping: 1,
    name: 'custom-test',
    label: 'Custom test export',
    record: 'message',
    file: { type: 'csv', delimiter: ',', encoding: 'auto' },
    fields: {
      thread: 'Chat',
      sender: 'Party',
      senderName: 'Name',
      direction: { column: 'Dir', values: { In: 'incoming', Out: 'outgoing' } },
      time: { column: 'When', format: 'dd/MM/yyyy HH:mm:ss', zone: 'Europe/Bucharest' },
      body: 'Text',
      service: { column: 'App', values: { SMS: 'sms', WhatsApp: 'whatsapp' }, default: 'other' },
      deleted: { column: 'Del', values: { Yes: true, No: false } },
      attachmentName: { column: 'File', separator: ';' },
    },
    ...overrides,
  };
}
