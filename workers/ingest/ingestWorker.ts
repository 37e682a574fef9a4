import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';

import { ToexError } from '../../main/errors.js';
import { serveJob } from '../serveJob.js';
import type { EvidenceFile, Format, ParseContext } from './formats.js';
import { FORMATS } from './formats/index.js';
import { tabularExport } from './formats/tabularExport.js';
import { MAX_BODY, PROGRESS_UNITS } from './ingestLimits.js';
import { damageIn, openSqliteCopy, SQLITE_MAGIC } from './openSqliteCopy.js';
import type { IngestRecord, MessageRecord } from './records.js';
import { parseMapping } from './tabular/exportMapping.js';

export interface IngestInput {
  path: string;
  /** The item's original name, used in every record's source pointer. */
  name: string;
  /** A private folder for working copies, removed when the worker is done. */
  workDir: string;
  region: string;
  timeZone?: string;
  ownerName?: string;
  /** Records already stored by an earlier attempt: they are read again but not sent. */
  skip: number;
  /** A declared mapping's JSON (--mapping): the item is read through it, not told by content. */
  mapping?: string;
}

/** A batch of records; `emitted` counts every record read so far, the skipped ones included. */
export interface IngestPartial {
  format: { id: string; label: string };
  records: IngestRecord[];
  emitted: number;
}

const BATCH = 500;
const HEAD_BYTES = 64 * 1024;

function readHead(path: string): EvidenceFile['head'] {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    return head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

/**
 * A value a parser passed on as text, made text whatever SQLite's dynamic
 * typing left in the column: bytes are decoded (and said to have been), a
 * number is written out, anything else is no text.
 */
function asText(value: unknown, flags: Set<string>): string | null {
  if (value === null || value === undefined || typeof value === 'string') return value ?? null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    flags.add('text-stored-as-blob');
    try {
      return STRICT_UTF8.decode(value);
    } catch {
      flags.add('invalid-utf8');
      return LENIENT_UTF8.decode(value);
    }
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    flags.add('text-stored-as-number');
    return String(value);
  }
  flags.add('text-unreadable');
  return null;
}

/**
 * A message made safe to store: its body and quote as text, U+FFFD (where
 * the source's bytes were not UTF-8) flagged, and each cut at MAX_BODY and
 * flagged where cut.
 */
function checkedMessage(m: MessageRecord): MessageRecord {
  const flags = new Set(m.flags);
  let body = asText(m.body, flags);
  let quote = m.quote ? { ...m.quote, text: asText(m.quote.text, flags) } : undefined;
  const attachments = m.attachments.map((a) => ({
    ...a,
    name: asText(a.name, flags),
    mime: asText(a.mime, flags),
    path: asText(a.path, flags),
  }));
  if (body?.includes('\uFFFD')) flags.add('invalid-utf8');
  if (body !== null && body.length > MAX_BODY) {
    body = body.slice(0, MAX_BODY);
    flags.add('body-truncated');
  }
  if (quote?.text != null && quote.text.length > MAX_BODY) {
    quote = { ...quote, text: quote.text.slice(0, MAX_BODY) };
    flags.add('quote-truncated');
  }
  return { ...m, body, attachments, flags: [...flags], ...(quote ? { quote } : {}) };
}

/** Any record made safe to store: names and titles as text. */
function checked(record: IngestRecord): IngestRecord {
  const ignored = new Set<string>();
  switch (record.type) {
    case 'message':
      return checkedMessage(record);
    case 'participant':
      return {
        ...record,
        raw: asText(record.raw, ignored) ?? '',
        identifier: asText(record.identifier, ignored) ?? '',
        name: asText(record.name, ignored),
      };
    case 'thread':
      return { ...record, title: asText(record.title, ignored) };
    case 'contact':
      return { ...record, name: asText(record.name, ignored) };
    default:
      return record;
  }
}

function* withProblemFirst(
  problem: IngestRecord,
  records: Iterable<IngestRecord>,
): Generator<IngestRecord> {
  yield problem;
  yield* records;
}

/** A short, content-free description of what the file looked like, for the refusal. */
function describe(file: EvidenceFile, tables?: string[]): string {
  if (tables) {
    const shown = tables.slice(0, 8).join(', ');
    return `a SQLite database with tables ${shown}${tables.length > 8 ? ', …' : ''}`;
  }
  if (file.size === 0) return 'an empty file';
  return `a ${file.size}-byte file starting ${file.head.subarray(0, 4).toString('hex')}`;
}

/**
 * Reads one evidence item: tells its format from its content, then streams
 * the format's records to main in batches. Records come in the same order on
 * every run over the same file, so a resumed attempt skips what was stored.
 */
serveJob<IngestInput, IngestPartial>(async (input, io) => {
  const file: EvidenceFile = {
    path: input.path,
    name: input.name,
    size: statSync(input.path).size,
    head: readHead(input.path),
  };
  mkdirSync(input.workDir, { recursive: true, mode: 0o700 });
  let close = () => {};
  let lastProgress = 0;
  try {
    const ctx: ParseContext = {
      file,
      region: input.region,
      workDir: input.workDir,
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      ...(input.ownerName ? { ownerName: input.ownerName } : {}),
      signal: io.signal,
      progress: (done, total) => {
        // A parser may report every row; a few reports a second are plenty.
        const now = Date.now();
        if (now - lastProgress < 200 && done < total) return;
        lastProgress = now;
        io.progress(
          Math.round((Math.min(done, total) / Math.max(1, total)) * PROGRESS_UNITS),
          PROGRESS_UNITS,
          'reading',
        );
      },
    };
    let format: Format | undefined;
    let records: Iterable<IngestRecord> | AsyncIterable<IngestRecord>;
    if (input.mapping !== undefined) {
      format = tabularExport(parseMapping(input.mapping));
      records = format.parse(ctx);
    } else if (file.head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
      const { db, schema } = openSqliteCopy(input.path, input.workDir);
      close = () => db.close();
      format = FORMATS.find((f) => f.kind === 'sqlite' && f.matches(schema));
      if (!format || format.kind !== 'sqlite') {
        throw new ToexError(
          'bad-input',
          `not a format TOEX reads: ${describe(file, [...schema.keys()])}`,
        );
      }
      const damage = damageIn(db);
      records = damage
        ? withProblemFirst(
            {
              type: 'problem',
              key: 'problem:integrity',
              message: `the database fails SQLite's integrity check (${damage}): rows read from it may be missing or wrong`,
              source: { file: file.name },
            },
            format.parse(db, schema, ctx),
          )
        : format.parse(db, schema, ctx);
    } else {
      format = FORMATS.find((f) => f.kind === 'file' && f.matches(file));
      if (!format || format.kind !== 'file') {
        throw new ToexError('bad-input', `not a format TOEX reads: ${describe(file)}`);
      }
      records = format.parse(ctx);
    }

    const id = { id: format.id, label: format.label };
    let emitted = 0;
    let batch: IngestRecord[] = [];
    await io.deliver({ format: id, records: [], emitted: input.skip });
    for await (const record of records) {
      io.signal.throwIfAborted();
      emitted += 1;
      if (emitted <= input.skip) continue;
      batch.push(checked(record));
      if (batch.length >= BATCH) {
        await io.deliver({ format: id, records: batch, emitted });
        batch = [];
      }
    }
    if (batch.length) await io.deliver({ format: id, records: batch, emitted });
  } finally {
    close();
    rmSync(input.workDir, { recursive: true, force: true });
  }
});
