import type { Database } from 'better-sqlite3';

import { normaliseAddress } from '../addresses.js';
import { hasTables, type ParseContext, type SqliteSchema } from '../formats.js';
import type { IngestRecord } from '../records.js';
import { columns, eachRow, numberOf, textOf } from './whatsappRows.js';

/**
 * The data kinds read, by ContactsContract's mimetypes; data1 holds the
 * display name, the number as typed, the address and the company.
 * Not yet: postal addresses, notes, nicknames, events, photos and app
 * profiles (WhatsApp's, Signal's rows) are not read; each account's raw
 * contact stays a contact of its own (the phone's merged contact is not
 * rebuilt), and the account it belongs to is not kept.
 */
const NAME = 'vnd.android.cursor.item/name';
const PHONE = 'vnd.android.cursor.item/phone_v2';
const EMAIL = 'vnd.android.cursor.item/email_v2';
const ORGANIZATION = 'vnd.android.cursor.item/organization';

export function hasRawContacts(schema: SqliteSchema): boolean {
  return hasTables(
    schema,
    'raw_contacts._id',
    'data.raw_contact_id',
    'data.mimetype_id',
    'data.data1',
    'mimetypes._id',
    'mimetypes.mimetype',
  );
}

interface DataRow {
  raw_contact_id: number;
  mimetype: string;
  data1: unknown;
}

/**
 * contacts2.db's address book: each raw contact (one per account that holds
 * the person) becomes a contact with its name and its numbers and e-mail
 * addresses, normalised as participants' are. A raw contact the phone marks
 * deleted, kept until its account syncs, is stored as deleted.
 */
export function* rawContactRecords(
  db: Database,
  schema: SqliteSchema,
  ctx: ParseContext,
  step: () => void,
): Generator<IngestRecord> {
  const file = ctx.file.name;
  // Walked beside the contacts in the same order, not looked up per contact: an
  // extraction's data table may have lost its index on raw_contact_id.
  const data = (
    db
      .prepare(
        `SELECT d.raw_contact_id, m.mimetype, d.data1 FROM data d
         JOIN mimetypes m ON m._id = d.mimetype_id
         WHERE m.mimetype IN ('${NAME}', '${PHONE}', '${EMAIL}', '${ORGANIZATION}')
           AND typeof(d.raw_contact_id) = 'integer'
         ORDER BY d.raw_contact_id, d._id`,
      )
      .iterate() as IterableIterator<DataRow>
  )[Symbol.iterator]();
  let next = data.next().value;
  const dataOf = (id: number): DataRow[] => {
    const found: DataRow[] = [];
    while (next !== undefined && next.raw_contact_id < id) next = data.next().value;
    while (next !== undefined && next.raw_contact_id === id) {
      found.push(next);
      next = data.next().value;
    }
    return found;
  };

  const text = (value: unknown) => textOf(value, [])?.trim() || null;
  try {
    yield* eachRow<{ _id: number; display_name: unknown; deleted: unknown }>(
      db,
      `SELECT _id, ${columns(schema, 'raw_contacts', ['display_name', 'deleted'])}
       FROM raw_contacts ORDER BY _id`,
      { file, table: 'raw_contacts', what: 'contacts' },
      function* (c) {
        const source = { file, table: 'raw_contacts', rowId: c._id };
        const rows = dataOf(c._id);
        const first = (mimetype: string) =>
          rows.map((r) => (r.mimetype === mimetype ? text(r.data1) : null)).find(Boolean) ?? null;
        const identifiers: string[] = [];
        for (const r of rows) {
          const value = r.mimetype === PHONE || r.mimetype === EMAIL ? text(r.data1) : null;
          const id = value === null ? null : normaliseAddress(value, ctx.region).identifier;
          if (id !== null && !identifiers.includes(id)) identifiers.push(id);
        }
        const name = text(c.display_name) ?? first(NAME) ?? first(ORGANIZATION);
        step();
        if (name === null && identifiers.length === 0) {
          yield {
            type: 'problem',
            key: `raw_contacts:${c._id}`,
            message: 'an empty contact',
            source,
          };
          return;
        }
        yield {
          type: 'contact',
          key: `raw_contacts:${c._id}`,
          name,
          identifiers,
          deleted: numberOf(c.deleted) === 1,
          source,
        } satisfies IngestRecord;
      },
    );
  } finally {
    data.return?.();
  }
}
