import type { Database } from 'better-sqlite3';

import type { SqliteSchema } from '../formats.js';
import type { IngestRecord, MessageRecord, SourceRef } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';
import { parseJid } from './whatsappJid.js';

/**
 * WhatsApp's message kinds, the same numbers in the legacy media_wa_type and
 * the new message_type: 0 text, 1 image, 2 audio, 3 video, 4 contact card,
 * 5 location, 7 system, 9 document, 13 GIF, 15 deleted for everyone,
 * 16 live location, 20 sticker, 42 and 43 view-once image and video.
 */
export const WA = { text: 0, contact: 4, location: 5, system: 7, revoked: 15, live: 16 } as const;

/** The columns asked for, each as NULL where this version of the schema lacks it. */
export function columns(schema: SqliteSchema, table: string, wanted: string[]): string {
  const have = schema.get(table) ?? new Set<string>();
  return wanted.map((c) => (have.has(c) ? `"${c}"` : `NULL AS "${c}"`)).join(', ');
}

function reason(err: unknown): string {
  const code = (err as { code?: string }).code;
  return code ?? (err instanceof Error ? err.name : 'unreadable');
}

/**
 * Reads a query's rows one by one. A row that cannot be made into records
 * becomes a problem and the reading goes on; a table that breaks off (a
 * damaged page) ends with a problem, keeping every row read before it.
 * `what` names the reading in the problem, e.g. "messages" or "group members".
 */
export function* eachRow<T extends object>(
  db: Database,
  sql: string,
  source: { file: string; table: string; what?: string },
  read: (row: T) => Iterable<IngestRecord> | void,
): Generator<IngestRecord> {
  const { file, table } = source;
  const what = source.what ?? table;
  let last: number | null = null;
  let rows: Iterator<T>;
  let next: IteratorResult<T>;
  try {
    rows = (db.prepare(sql).iterate() as IterableIterator<T>)[Symbol.iterator]();
    next = rows.next();
  } catch (err) {
    yield brokenOff(what, file, table, last, err);
    return;
  }
  while (!next.done) {
    const id = (next.value as { _id?: unknown })._id;
    if (typeof id === 'number') last = id;
    try {
      const records = read(next.value);
      if (records) yield* records;
    } catch (err) {
      yield {
        type: 'problem',
        key: `problem:${what}:${last}`,
        message: `row ${last} of ${table} could not be read (${reason(err)})`,
        source: { file, table, ...(last === null ? {} : { rowId: last }) },
      };
    }
    try {
      next = rows.next();
    } catch (err) {
      yield brokenOff(what, file, table, last, err);
      return;
    }
  }
}

function brokenOff(
  what: string,
  file: string,
  table: string,
  last: number | null,
  err: unknown,
): IngestRecord {
  const where = last === null ? 'its start' : `row ${last}`;
  return {
    type: 'problem',
    key: `problem:${what}:after:${last ?? 'start'}`,
    message: `the ${what} in ${table} could not be read past ${where} (${reason(err)}); what was read before is kept`,
    source: { file, table, ...(last === null ? {} : { rowId: last }) },
  };
}

/** The largest row id: a bound for progress that, unlike count(*), reads no more than one path. */
export function lastRowId(db: Database, table: string): number {
  try {
    const r = db.prepare(`SELECT max(_id) AS n FROM "${table}"`).get() as { n: unknown };
    return typeof r.n === 'number' ? r.n : 0;
  } catch {
    return 0;
  }
}

/** Whether any row matches; a table too damaged to say counts as having none. */
export function anyWhere(db: Database, table: string, where: string): boolean {
  try {
    return db.prepare(`SELECT 1 FROM "${table}" WHERE ${where} LIMIT 1`).get() !== undefined;
  } catch {
    return false;
  }
}

/** A column's text as stored; a blob where text belongs is decoded and flagged. */
export function textOf(value: unknown, flags: string[]): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) {
    flags.push('text-stored-as-blob');
    return value.toString('utf8');
  }
  return String(value);
}

/** A number, also where the schema keeps it as text (the legacy media_wa_type is a TEXT column). */
export function numberOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

/** msgstore.db keeps Unix milliseconds; 0 means the app never set a time, anything else unreadable is flagged. */
export function timeOf(value: unknown, flags: string[]): MessageRecord['sentAt'] {
  if (value === null || value === undefined || value === 0) return null;
  const ms = numberOf(value);
  const sentAt = ms === null ? null : fromUnixMs(ms);
  if (sentAt === null) flags.push('time-out-of-range');
  return sentAt;
}

export interface ThreadInfo {
  key: string;
  multiParty: boolean;
  /** In a one-to-one chat, the other person: the sender of whatever came in. */
  personKey: string | null;
}

/** The participants and threads handed on so far, so that each goes once and before its use. */
export class WhatsAppBook {
  private readonly people = new Set<string>();
  private readonly threads = new Map<string, ThreadInfo>();

  constructor(private readonly region: string) {}

  /** `name` is the name the app shows for them, where the source keeps one with the jid. */
  *person(
    raw: unknown,
    source: SourceRef,
    name: string | null = null,
  ): Generator<IngestRecord, string | null> {
    if (typeof raw !== 'string') return null;
    const address = parseJid(raw, this.region)?.address;
    if (!address) return null;
    const key = `p:${address.identifier}`;
    if (!this.people.has(key)) {
      this.people.add(key);
      yield { type: 'participant', key, raw, name, source, ...address };
    }
    return key;
  }

  known(id: string): ThreadInfo | undefined {
    return this.threads.get(id);
  }

  /**
   * A chat as a thread, keyed by its jid so that the key does not hang on row
   * ids; `id` is how the caller looks it up again (a chat row id or a jid).
   */
  *thread(
    id: string,
    jid: string | null,
    title: string | null,
    members: unknown[],
    source: SourceRef,
  ): Generator<IngestRecord, ThreadInfo> {
    const known = this.threads.get(id);
    if (known) return known;
    const parsed = jid === null ? null : parseJid(jid, this.region);
    const multiParty = parsed?.isMultiParty ?? false;
    const personKey = multiParty ? null : yield* this.person(jid, source);
    const keys = personKey ? [personKey] : [];
    for (const member of members) {
      const key = yield* this.person(member, source);
      if (key && !keys.includes(key)) keys.push(key);
    }
    const info = { key: `t:${parsed?.jid ?? id}`, multiParty, personKey };
    this.threads.set(id, info);
    yield {
      type: 'thread',
      key: info.key,
      service: 'whatsapp',
      title,
      isGroup: multiParty,
      participantKeys: keys,
      source,
    };
    return info;
  }
}
