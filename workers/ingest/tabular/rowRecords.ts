import { normaliseAddress, type Address } from '../addresses.js';
import type {
  AttachmentRecord,
  CallRecord,
  ContactRecord,
  IngestRecord,
  MessageRecord,
  SourceRef,
} from '../records.js';
import {
  columnsUsed,
  type CallDirection,
  type DurationSpec,
  type ExportMapping,
  type ListColumn,
  type MessageDirection,
  type ValueMap,
} from './exportMapping.js';
import { compilePattern, readTime, type CompiledPattern } from './tabularTime.js';

/** One row of an export, whatever the file type, with what went wrong reading it. */
export interface TabularRow {
  /** Stable across runs over the same file: the line (CSV) or index (JSON) it was read from. */
  id: string;
  cell(column: string): string | string[] | null;
  source: Omit<SourceRef, 'columns'>;
  flags: string[];
}

/** Enough for every address of any real export; past it addresses are parsed each time. */
const MAX_CACHED_ADDRESSES = 100_000;

const scalar = (v: string | string[] | null): string | null => {
  if (v === null) return null;
  const text = (Array.isArray(v) ? v.join(', ') : v).trim();
  return text === '' ? null : text;
};

/**
 * Turns an export's rows into records as the mapping says: people by their
 * normalised address (E.164 with the case's region), threads by the thread
 * column or else by who took part, and one message, call or contact per row
 * keyed by where the row is, so a second run stores nothing twice.
 */
export class RowRecords {
  private readonly seenPeople = new Set<string>();
  /** Each thread and the people it has been listed with so far. */
  private readonly threads = new Map<string, Set<string>>();
  /** Exports repeat the same few addresses on every row; parsing a number is the costly step. */
  private readonly addresses = new Map<string, Address>();
  private readonly columns: string[];
  private readonly pattern: CompiledPattern | undefined;

  constructor(
    private readonly mapping: ExportMapping,
    private readonly region: string,
  ) {
    this.columns = columnsUsed(mapping);
    const time = mapping.fields.time;
    const compiled = time && compilePattern(time.format);
    this.pattern = typeof compiled === 'object' ? compiled : undefined;
  }

  *of(row: TabularRow): Generator<IngestRecord> {
    const source: SourceRef = { ...row.source, columns: this.columns };
    switch (this.mapping.record) {
      case 'message':
        yield* this.message(row, source);
        return;
      case 'call':
        yield* this.call(row, source);
        return;
      case 'contact':
        yield this.contact(row, source);
        return;
    }
  }

  private text(row: TabularRow, spec: { column: string } | undefined): string | null {
    return spec ? scalar(row.cell(spec.column)) : null;
  }

  private list(row: TabularRow, spec: ListColumn | undefined): string[] {
    if (!spec) return [];
    return spec.columns.flatMap((c) => {
      const v = row.cell(c);
      const items =
        v === null ? [] : Array.isArray(v) ? v : spec.separator ? v.split(spec.separator) : [v];
      return items.map((s) => s.trim()).filter((s) => s !== '');
    });
  }

  private mapped<T>(row: TabularRow, spec: ValueMap<T> | undefined, name: string, flags: string[]) {
    const raw = this.text(row, spec);
    if (raw === null || !spec) return undefined;
    if (Object.hasOwn(spec.values, raw)) return spec.values[raw];
    flags.push(`${name}-unmapped`);
    return undefined;
  }

  /** The participant for an address (or a name when no address is given), once per ingest. */
  private *person(
    raw: string,
    name: string | null,
    source: SourceRef,
  ): Generator<IngestRecord, string> {
    const address = this.address(raw);
    const key = `p:${address.identifier}`;
    if (!this.seenPeople.has(key)) {
      this.seenPeople.add(key);
      yield {
        type: 'participant',
        key,
        identifier: address.identifier,
        raw,
        name,
        kind: address.kind,
        source,
      };
    }
    return key;
  }

  private address(raw: string): Address {
    let address = this.addresses.get(raw);
    if (!address) {
      address = normaliseAddress(raw, this.region);
      if (this.addresses.size < MAX_CACHED_ADDRESSES) this.addresses.set(raw, address);
    }
    return address;
  }

  private time(row: TabularRow, flags: string[]) {
    const spec = this.mapping.fields.time;
    const cell = this.text(row, spec);
    if (!spec || cell === null) return null;
    const read = readTime(cell, spec, this.pattern);
    flags.push(...read.flags);
    return read.time;
  }

  private *message(row: TabularRow, source: SourceRef): Generator<IngestRecord> {
    const f = this.mapping.fields;
    const flags = [...row.flags];

    const senderRaw = this.text(row, f.sender);
    const senderName = this.text(row, f.senderName);
    const from = senderRaw ?? senderName;
    const senderKey = from === null ? null : yield* this.person(from, senderName, source);
    const people = senderKey === null ? [] : [senderKey];
    for (const raw of this.list(row, f.recipients)) {
      people.push(yield* this.person(raw, null, source));
    }

    const threadId = this.text(row, f.thread);
    const threadKey =
      threadId !== null
        ? `t:${threadId}`
        : people.length
          ? `pair:${[...new Set(people)].sort().join('|')}`
          : 't:';
    yield* this.thread(
      threadKey,
      threadId === null ? null : (this.text(row, f.threadTitle) ?? threadId),
      people,
      row,
      source,
    );

    const names = this.list(row, f.attachmentName);
    const paths = this.list(row, f.attachmentPath);
    const attachments: AttachmentRecord[] = Array.from(
      { length: Math.max(names.length, paths.length) },
      (_, i) => ({
        name: names[i] ?? paths[i]?.split(/[\\/]/).pop() ?? null,
        mime: null,
        size: null,
        path: paths[i] ?? null,
      }),
    );

    const direction: MessageDirection =
      (this.mapped(row, f.direction, 'direction', flags) as MessageDirection | undefined) ??
      'unknown';
    // Not yet: keys name the row, not the mapping, so ingesting an item again through a corrected
    // mapping stores nothing new; the first mapping's reading of each row stays.
    const message: MessageRecord = {
      type: 'message',
      key: `row:${row.id}`,
      threadKey,
      senderKey,
      direction,
      sentAt: this.time(row, flags),
      body: this.text(row, f.body),
      deleted: this.mapped(row, f.deleted, 'deleted', flags) ?? false,
      attachments,
      flags: [...new Set(flags)],
      source,
    };
    yield message;
  }

  /** A thread, again whenever it gains people, so the store links each of them to it. */
  private *thread(
    key: string,
    title: string | null,
    people: string[],
    row: TabularRow,
    source: SourceRef,
  ): Generator<IngestRecord> {
    const known = this.threads.get(key);
    if (known && people.every((p) => known.has(p))) return;
    const all = new Set([...(known ?? []), ...people]);
    this.threads.set(key, all);
    const spec = this.mapping.fields.service;
    const raw = spec?.column ? scalar(row.cell(spec.column)) : null;
    // Not yet: a thread's service and group mark are taken from the row that first names it.
    yield {
      type: 'thread',
      key,
      service: !spec
        ? 'other'
        : raw !== null && Object.hasOwn(spec.values, raw)
          ? spec.values[raw]!
          : spec.default,
      title,
      isGroup: all.size > 2,
      participantKeys: [...all],
      source,
    };
  }

  private *call(row: TabularRow, source: SourceRef): Generator<IngestRecord> {
    const f = this.mapping.fields;
    const flags: string[] = [];
    const raw = this.text(row, f.party);
    const name = this.text(row, f.partyName);
    const who = raw ?? name;
    const participantKey = who === null ? null : yield* this.person(who, name, source);
    const call: CallRecord = {
      type: 'call',
      key: `row:${row.id}`,
      participantKey,
      direction:
        (this.mapped(row, f.direction, 'direction', flags) as CallDirection | undefined) ??
        'unknown',
      startedAt: this.time(row, flags),
      durationSeconds: duration(this.text(row, f.duration), f.duration),
      deleted: this.mapped(row, f.deleted, 'deleted', flags) ?? false,
      source,
    };
    yield call;
  }

  private contact(row: TabularRow, source: SourceRef): ContactRecord {
    const f = this.mapping.fields;
    const identifiers = this.list(row, f.addresses).map((a) => this.address(a).identifier);
    return {
      type: 'contact',
      key: `row:${row.id}`,
      name: this.text(row, f.name),
      identifiers: [...new Set(identifiers)],
      source,
    };
  }
}

/** Seconds from "75" or from "1:02:03" / "02:03"; null when the cell is neither. */
function duration(text: string | null, spec: DurationSpec | undefined): number | null {
  if (text === null || !spec) return null;
  if (spec.format === 'seconds') {
    return /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text)) : null;
  }
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(text);
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}
