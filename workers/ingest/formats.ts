import type { Database } from 'better-sqlite3';

import type { IngestRecord } from './records.js';

/** The evidence file being read, with its first bytes for telling formats apart. */
export interface EvidenceFile {
  path: string;
  /** The name shown in source pointers: the item's original name. */
  name: string;
  size: number;
  head: Buffer;
}

/** A SQLite file's tables and each table's columns, read once for every format to test. */
export type SqliteSchema = Map<string, Set<string>>;

export interface ParseContext {
  file: EvidenceFile;
  /** The device's country (ISO 3166 alpha-2) for numbers written without a country code. */
  region: string;
  /** A private folder for working copies, emptied when the ingest ends. */
  workDir: string;
  /**
   * The IANA zone the device's clock was set to, given by the examiner, for
   * sources that write wall-clock times with no zone (WhatsApp exports).
   */
  timeZone?: string;
  /** The name the device's owner appears under, in sources that name every sender. */
  ownerName?: string;
  signal: AbortSignal;
  /** How far through the source the parser is, in units of its own (rows, bytes). */
  progress(done: number, total: number): void;
}

export interface SqliteFormat {
  kind: 'sqlite';
  id: string;
  label: string;
  matches(schema: SqliteSchema): boolean;
  parse(db: Database, schema: SqliteSchema, ctx: ParseContext): Iterable<IngestRecord>;
}

export interface FileFormat {
  kind: 'file';
  id: string;
  label: string;
  matches(file: EvidenceFile): boolean;
  parse(ctx: ParseContext): AsyncIterable<IngestRecord> | Iterable<IngestRecord>;
}

export type Format = SqliteFormat | FileFormat;

/** True when every one of `tables` exists and has every one of `columns` (table.column). */
export function hasTables(schema: SqliteSchema, ...names: string[]): boolean {
  return names.every((name) => {
    const [table, column] = name.split('.');
    const columns = schema.get(table!);
    return columns !== undefined && (column === undefined || columns.has(column));
  });
}
