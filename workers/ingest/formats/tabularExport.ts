import { ToexError } from '../../../main/errors.js';
import type { EvidenceFile, FileFormat, ParseContext } from '../formats.js';
import { BUILTIN_MAPPINGS } from '../mappings/builtinMappings.js';
import type { IngestRecord } from '../records.js';
import { readCsv } from '../tabular/csvReader.js';
import { CsvSplitter, sniffEncoding } from '../tabular/csvSplitter.js';
import {
  columnsUsed,
  type CsvFile,
  type ExportMapping,
  type JsonFile,
} from '../tabular/exportMapping.js';
import { atPointer, readJsonRecords } from '../tabular/jsonRecords.js';
import { RowRecords, type TabularRow } from '../tabular/rowRecords.js';

/** The header row of a CSV as its first bytes hold it, or null when they hold no whole one. */
function headerIn(file: EvidenceFile, csv: CsvFile): string[] | null {
  const { encoding, bom } = sniffEncoding(file.head, csv.encoding);
  const splitter = new CsvSplitter(csv, encoding, bom);
  const rows = splitter.push(file.head.subarray(bom));
  if (file.head.length === file.size) rows.push(...splitter.end().rows);
  return rows[csv.headerRow - 1]?.fields ?? null;
}

function problem(id: string, message: string, source: IngestRecord['source']): IngestRecord {
  return { type: 'problem', key: `problem:${id}`, message, source };
}

/** The columns the mapping reads that the export's header lacks. */
function missingColumns(mapping: ExportMapping, header: string[]): string[] {
  return columnsUsed(mapping).filter((c) => !header.includes(c));
}

async function* csvRows(
  ctx: ParseContext,
  mapping: ExportMapping,
  csv: CsvFile,
): AsyncGenerator<IngestRecord> {
  const out = new RowRecords(mapping, ctx.region);
  const file = ctx.file.name;
  let header: string[] | null = null;
  let index: Map<string, number> = new Map();
  let seen = 0;
  for await (const row of readCsv(ctx.file.path, ctx.file.head, csv, ctx.signal)) {
    if ('problem' in row) {
      yield problem(`L${row.line}`, row.problem, { file, line: row.line });
      continue;
    }
    seen += 1;
    if (seen < csv.headerRow) continue;
    if (header === null) {
      header = row.fields;
      const missing = missingColumns(mapping, header);
      if (missing.length) {
        throw new ToexError(
          'bad-input',
          `the export has no column ${missing.map((c) => `"${c}"`).join(', ')} that mapping ` +
            `${mapping.name} reads (line ${row.line} is taken as the header)`,
        );
      }
      // A name used twice is read from its first column.
      index = new Map([...header.entries()].reverse().map(([i, name]) => [name, i]));
      continue;
    }
    if (row.fields.length !== header.length) {
      yield problem(
        `L${row.line}`,
        `the row has ${row.fields.length} fields where the header has ${header.length}; ` +
          'it is skipped',
        { file, line: row.line },
      );
      continue;
    }
    const fields = row.fields;
    const tabular: TabularRow = {
      id: `L${row.line}`,
      cell: (c) => fields[index.get(c)!] ?? null,
      source: { file, line: row.line },
      flags: row.flags,
    };
    yield* out.of(tabular);
    ctx.progress(row.end, ctx.file.size);
  }
  if (header === null) {
    throw new ToexError(
      'bad-input',
      `the export has no header row (row ${csv.headerRow} is missing)`,
    );
  }
}

/** A JSON value as a cell: text as it is, numbers and booleans as written, lists item by item. */
function cellOf(v: unknown): string | string[] | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  return JSON.stringify(v);
}

async function* jsonRows(
  ctx: ParseContext,
  mapping: ExportMapping,
  json: JsonFile,
): AsyncGenerator<IngestRecord> {
  const records = await readJsonRecords(ctx.file.path, json);
  const out = new RowRecords(mapping, ctx.region);
  const file = ctx.file.name;
  for (const [i, record] of records.entries()) {
    ctx.signal.throwIfAborted();
    const jsonPath = `${json.records}/${i}`;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      yield problem(`J${i}`, 'the record is not a JSON object; it is skipped', { file, jsonPath });
      continue;
    }
    const o = record as Record<string, unknown>;
    yield* out.of({
      id: `J${i}`,
      cell: (c) =>
        cellOf(c.startsWith('/') ? atPointer(o, c) : Object.hasOwn(o, c) ? o[c] : undefined),
      source: { file, jsonPath },
      flags: [],
    });
    ctx.progress(i + 1, records.length);
  }
}

/**
 * Another tool's tabular export read through a mapping. With a mapping given
 * (`--mapping`) it reads any file; among the registered formats each built-in
 * mapping claims a CSV only when its header row is exactly the built-in's.
 */
export function tabularExport(mapping: ExportMapping): FileFormat {
  const csv = mapping.file.type === 'csv' ? mapping.file : null;
  return {
    kind: 'file',
    id: `export.${mapping.name}`,
    label: mapping.label,

    matches(file) {
      if (!csv || !mapping.header) return false;
      const header = headerIn(file, csv);
      return (
        header !== null &&
        header.length === mapping.header.length &&
        header.every((h, i) => h === mapping.header![i])
      );
    },

    parse(ctx) {
      return mapping.file.type === 'csv'
        ? csvRows(ctx, mapping, mapping.file)
        : jsonRows(ctx, mapping, mapping.file);
    },
  };
}

/** One format per built-in mapping, each told from a CSV's header row. */
export const BUILTIN_EXPORTS: readonly FileFormat[] = [...BUILTIN_MAPPINGS.values()].map((m) =>
  tabularExport(m.mapping),
);
