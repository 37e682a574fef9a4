import { ToexError } from '../../../main/errors.js';
import type { Service } from '../records.js';
import { checkTimeSpec, type TimeSpec } from './tabularTime.js';

/**
 * A declared mapping from another tool's tabular export (CSV or JSON) to the
 * normalised records: how to read the file, which column is which field, and
 * what kind of record a row is. Written by hand as JSON; checked strictly, so
 * a typing mistake is named rather than silently reading nothing.
 */
export interface ExportMapping {
  mapping: 1;
  name: string;
  label: string;
  record: 'message' | 'call' | 'contact';
  file: CsvFile | JsonFile;
  /** The export's exact header row: a CSV whose header is this is read without --mapping. */
  header?: string[];
  fields: Fields;
}

export interface CsvFile {
  type: 'csv';
  delimiter: string;
  /** The quoting character, or null for a file that never quotes. */
  quote: string | null;
  /** `auto` reads a byte-order mark and otherwise takes UTF-8. */
  encoding: Encoding;
  /** The 1-based row that names the columns; rows before it are a preamble and skipped. */
  headerRow: number;
  /** Strip spaces and tabs around every field (exports padded to line up in a text editor). */
  trim: boolean;
}

export interface JsonFile {
  type: 'json';
  /** JSON Pointer (RFC 6901) to the array of records; "" for a file that is the array. */
  records: string;
}

export type Encoding = 'auto' | 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** One column; for JSON a key of each record, or a JSON Pointer into it when it starts with /. */
export interface Column {
  column: string;
}

export interface ListColumn {
  columns: string[];
  /** Splits one cell into several (e.g. "; " between recipients); none keeps the cell whole. */
  separator: string | null;
}

export interface ValueMap<T> {
  column: string;
  values: Record<string, T>;
}

export interface ServiceSpec {
  column: string | null;
  values: Record<string, Service>;
  /** For a row whose cell is empty or not in `values`, or every row when there is no column. */
  default: Service;
}

export interface DurationSpec {
  column: string;
  format: 'seconds' | 'hh:mm:ss';
}

export type MessageDirection = 'incoming' | 'outgoing' | 'unknown';
export type CallDirection = 'incoming' | 'outgoing' | 'missed' | 'rejected' | 'unknown';

export interface Fields {
  thread?: Column;
  threadTitle?: Column;
  sender?: Column;
  senderName?: Column;
  recipients?: ListColumn;
  direction?: ValueMap<string>;
  time?: TimeSpec;
  body?: Column;
  service?: ServiceSpec;
  deleted?: ValueMap<boolean>;
  attachmentName?: ListColumn;
  attachmentPath?: ListColumn;
  party?: Column;
  partyName?: Column;
  duration?: DurationSpec;
  name?: Column;
  addresses?: ListColumn;
}

const SERVICES: readonly Service[] = [
  'sms',
  'mms',
  'imessage',
  'whatsapp',
  'telegram',
  'signal',
  'call',
  'other',
];
const MESSAGE_DIRECTIONS: readonly string[] = ['incoming', 'outgoing', 'unknown'];
const CALL_DIRECTIONS: readonly string[] = [
  'incoming',
  'outgoing',
  'missed',
  'rejected',
  'unknown',
];
const ENCODINGS: readonly Encoding[] = ['auto', 'utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];

/** Which fields each kind of record may map. */
const FIELDS_OF: Record<ExportMapping['record'], readonly (keyof Fields)[]> = {
  message: [
    'thread',
    'threadTitle',
    'sender',
    'senderName',
    'recipients',
    'direction',
    'time',
    'body',
    'service',
    'deleted',
    'attachmentName',
    'attachmentPath',
  ],
  call: ['party', 'partyName', 'direction', 'time', 'duration', 'service', 'deleted'],
  contact: ['name', 'addresses'],
};
const LIST_FIELDS = new Set<keyof Fields>([
  'recipients',
  'attachmentName',
  'attachmentPath',
  'addresses',
]);

type Json = Record<string, unknown>;

class MappingError extends Error {}

const fail = (path: string, problem: string): never => {
  throw new MappingError(`${path}: ${problem}`);
};

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function object(v: unknown, path: string, keys: readonly string[]): Json {
  if (!isObject(v)) fail(path || 'the mapping', 'must be an object');
  const o = v as Json;
  const extra = Object.keys(o).find((k) => !keys.includes(k));
  if (extra !== undefined) {
    fail(path ? `${path}.${extra}` : extra, `is not a known key (known: ${keys.join(', ')})`);
  }
  return o;
}

function text(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') fail(path, 'must be a non-empty string');
  return v as string;
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) {
    fail(path, `must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/** A column given as "Name" or { "column": "Name" }. */
function column(v: unknown, path: string): Column {
  if (typeof v === 'string') return { column: text(v, path) };
  return { column: text(object(v, path, ['column']).column, `${path}.column`) };
}

function list(v: unknown, path: string): ListColumn {
  if (typeof v === 'string') return { columns: [text(v, path)], separator: null };
  const o = object(v, path, ['column', 'columns', 'separator']);
  if ((o.column === undefined) === (o.columns === undefined)) {
    fail(path, 'needs exactly one of column or columns');
  }
  let columns: string[];
  if (o.column !== undefined) {
    columns = [text(o.column, `${path}.column`)];
  } else {
    if (!Array.isArray(o.columns) || o.columns.length === 0) {
      fail(`${path}.columns`, 'must be a non-empty array');
    }
    columns = (o.columns as unknown[]).map((c, i) => text(c, `${path}.columns[${i}]`));
  }
  const separator = o.separator === undefined ? null : text(o.separator, `${path}.separator`);
  return { columns, separator };
}

function values<T>(v: unknown, path: string, check: (x: unknown, p: string) => T) {
  if (!isObject(v) || Object.keys(v).length === 0) fail(path, 'must be a non-empty object');
  return Object.fromEntries(
    Object.entries(v as Json).map(([k, x]) => [k, check(x, `${path}.${k}`)]),
  );
}

function valueMap<T>(v: unknown, path: string, check: (x: unknown, p: string) => T): ValueMap<T> {
  const o = object(v, path, ['column', 'values']);
  return {
    column: text(o.column, `${path}.column`),
    values: values(o.values, `${path}.values`, check),
  };
}

function service(v: unknown, path: string): ServiceSpec {
  const o = object(v, path, ['column', 'values', 'default']);
  const spec: ServiceSpec = {
    column: o.column === undefined ? null : text(o.column, `${path}.column`),
    values:
      o.values === undefined
        ? {}
        : values(o.values, `${path}.values`, (x, p) => oneOf(x, p, SERVICES)),
    default: o.default === undefined ? 'other' : oneOf(o.default, `${path}.default`, SERVICES),
  };
  if (spec.column === null && o.values !== undefined) fail(`${path}.values`, 'needs a column');
  return spec;
}

function field(name: keyof Fields, v: unknown, record: ExportMapping['record']): unknown {
  const path = `fields.${name}`;
  if (LIST_FIELDS.has(name)) return list(v, path);
  switch (name) {
    case 'direction': {
      const allowed = record === 'call' ? CALL_DIRECTIONS : MESSAGE_DIRECTIONS;
      return valueMap(v, path, (x, p) => oneOf(x, p, allowed));
    }
    case 'deleted':
      return valueMap(v, path, (x, p) =>
        typeof x === 'boolean' ? x : fail(p, 'must be true or false'),
      );
    case 'time':
      return checkTimeSpec(object(v, path, ['column', 'format', 'offset', 'zone']), path, fail);
    case 'service':
      return service(v, path);
    case 'duration': {
      const o = object(v, path, ['column', 'format']);
      return {
        column: text(o.column, `${path}.column`),
        format: oneOf(o.format, `${path}.format`, ['seconds', 'hh:mm:ss'] as const),
      };
    }
    default:
      return column(v, path);
  }
}

/** One printable ASCII character other than a line break, for a delimiter or quote. */
function singleChar(v: unknown, path: string): string {
  if (typeof v !== 'string' || !/^[\t\x20-\x7e]$/.test(v)) {
    fail(path, 'must be one ASCII character (use "\\t" for a tab)');
  }
  return v as string;
}

function csvFile(o: Json): CsvFile {
  const f: CsvFile = {
    type: 'csv',
    delimiter: o.delimiter === undefined ? ',' : singleChar(o.delimiter, 'file.delimiter'),
    quote:
      o.quote === null ? null : o.quote === undefined ? '"' : singleChar(o.quote, 'file.quote'),
    encoding: o.encoding === undefined ? 'auto' : oneOf(o.encoding, 'file.encoding', ENCODINGS),
    headerRow: 1,
    trim: false,
  };
  if (f.quote === f.delimiter) fail('file.quote', 'must differ from the delimiter');
  if (o.headerRow !== undefined) {
    if (
      !Number.isInteger(o.headerRow) ||
      (o.headerRow as number) < 1 ||
      (o.headerRow as number) > 1000
    ) {
      fail('file.headerRow', 'must be a whole number from 1 to 1000');
    }
    f.headerRow = o.headerRow as number;
  }
  if (o.trim !== undefined) {
    if (typeof o.trim !== 'boolean') fail('file.trim', 'must be true or false');
    f.trim = o.trim as boolean;
  }
  return f;
}

// Not yet: XLSX workbooks are not read; a sheet saved as CSV (UTF-8) is.
function file(v: unknown): CsvFile | JsonFile {
  if (!isObject(v)) return fail('file', 'must be an object');
  if (v.type === 'csv') {
    return csvFile(
      object(v, 'file', ['type', 'delimiter', 'quote', 'encoding', 'headerRow', 'trim']),
    );
  }
  if (v.type === 'json') {
    const o = object(v, 'file', ['type', 'records']);
    const records = o.records === undefined ? '' : o.records;
    if (typeof records !== 'string' || (records !== '' && !records.startsWith('/'))) {
      fail('file.records', 'must be a JSON Pointer such as "/messages", or "" for the whole file');
    }
    return { type: 'json', records: records as string };
  }
  return fail('file.type', 'must be one of csv, json');
}

/** The columns a mapping reads, in the order its fields are declared. */
export function columnsUsed(m: ExportMapping): string[] {
  const out: string[] = [];
  for (const spec of Object.values(m.fields) as unknown[]) {
    const o = spec as Partial<Column & ListColumn>;
    if (typeof o.column === 'string') out.push(o.column);
    if (Array.isArray(o.columns)) out.push(...o.columns);
  }
  return [...new Set(out)];
}

function check(v: unknown): ExportMapping {
  const o = object(v, '', ['mapping', 'name', 'label', 'record', 'file', 'header', 'fields']);
  if (o.mapping !== 1) fail('mapping', 'must be 1 (the version of this format)');
  const name = text(o.name, 'name');
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) {
    fail('name', 'must be lower-case letters, digits and dashes, at most 64');
  }
  const record = oneOf(o.record, 'record', ['message', 'call', 'contact'] as const);
  const f = file(o.file);

  const fieldsIn = object(o.fields, 'fields', FIELDS_OF[record]);
  const fields = Object.fromEntries(
    Object.entries(fieldsIn).map(([k, x]) => [k, field(k as keyof Fields, x, record)]),
  ) as Fields;
  const needed: Record<ExportMapping['record'], (keyof Fields)[]> = {
    message: ['body', 'time'],
    call: ['party', 'time'],
    contact: ['name', 'addresses'],
  };
  if (!needed[record].some((k) => fields[k] !== undefined)) {
    fail('fields', `a ${record} mapping needs at least one of ${needed[record].join(', ')}`);
  }

  const mapping: ExportMapping = {
    mapping: 1,
    name,
    label: o.label === undefined ? name : text(o.label, 'label'),
    record,
    file: f,
    fields,
  };
  if (o.header !== undefined) {
    if (f.type !== 'csv') fail('header', 'is for CSV mappings only');
    if (!Array.isArray(o.header) || o.header.length === 0) {
      fail('header', 'must be a non-empty array');
    }
    mapping.header = (o.header as unknown[]).map((h, i) => text(h, `header[${i}]`));
    const missing = columnsUsed(mapping).find((c) => !mapping.header!.includes(c));
    if (missing !== undefined) fail('header', `does not hold the mapped column "${missing}"`);
  }
  return mapping;
}

/**
 * Reads and checks a mapping. Every fault is a bad-input error of one line
 * that names the field at fault, e.g. `mapping fields.direction.values.In:
 * must be one of incoming, outgoing, unknown`.
 */
export function parseMapping(source: string, origin = 'mapping'): ExportMapping {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ToexError('bad-input', `${origin} is not JSON: ${reason.split('\n')[0]}`);
  }
  try {
    return check(value);
  } catch (error) {
    if (error instanceof MappingError) {
      throw new ToexError('bad-input', `${origin} ${error.message}`);
    }
    throw error;
  }
}
