import { normaliseAddress } from '../addresses.js';
import { hasTables, type SqliteFormat, type SqliteSchema } from '../formats.js';
import type { IngestRecord } from '../records.js';

/**
 * ABMultiValue.property: 3 phone numbers, 4 e-mail addresses.
 * Not yet: a contact's postal addresses, notes, nicknames and photos are not read.
 */
const PHONE = 3;
const EMAIL = 4;

function optional(schema: SqliteSchema, name: string): string {
  return schema.get('ABPerson')?.has(name) ? `"${name}"` : `NULL AS "${name}"`;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim() : null;

/**
 * The iOS address book (AddressBook.sqlitedb): people in ABPerson, each
 * number or address a row of ABMultiValue pointing back by record_id.
 */
export const iosAddressBook: SqliteFormat = {
  kind: 'sqlite',
  id: 'ios.addressbook',
  label: 'iOS address book (AddressBook.sqlitedb)',

  matches(schema) {
    return hasTables(
      schema,
      'ABPerson.ROWID',
      'ABPerson.First',
      'ABMultiValue.record_id',
      'ABMultiValue.property',
      'ABMultiValue.value',
    );
  },

  *parse(db, schema, ctx) {
    const file = ctx.file.name;
    // Walked beside the people in the same order, not looked up per person: an
    // extraction's ABMultiValue may have lost its index on record_id.
    const values = (
      db
        .prepare(
          `SELECT record_id, value FROM ABMultiValue
           WHERE property IN (${PHONE}, ${EMAIL}) AND typeof(record_id) = 'integer'
           ORDER BY record_id, UID`,
        )
        .iterate() as IterableIterator<{ record_id: number; value: unknown }>
    )[Symbol.iterator]();
    let value = values.next().value;
    const valuesOf = (id: number): string[] => {
      const found: string[] = [];
      while (value !== undefined && value.record_id < id) value = values.next().value;
      while (value !== undefined && value.record_id === id) {
        const v = text(value.value);
        if (v !== null) found.push(v);
        value = values.next().value;
      }
      return found;
    };
    const total = (db.prepare('SELECT count(*) AS n FROM ABPerson').get() as { n: number }).n;
    let done = 0;
    try {
      yield* people();
    } finally {
      values.return?.();
    }

    function* people(): Generator<IngestRecord> {
      for (const p of db
        .prepare(
          `SELECT ROWID, First, ${optional(schema, 'Middle')}, ${optional(schema, 'Last')},
           ${optional(schema, 'Organization')} FROM ABPerson ORDER BY ROWID`,
        )
        .iterate() as Iterable<{
        ROWID: number;
        First: unknown;
        Middle: unknown;
        Last: unknown;
        Organization: unknown;
      }>) {
        const source = { file, table: 'ABPerson', rowId: p.ROWID };
        const personal = [p.First, p.Middle, p.Last].map(text).filter(Boolean).join(' ');
        const identifiers = [
          ...new Set(valuesOf(p.ROWID).map((v) => normaliseAddress(v, ctx.region).identifier)),
        ];
        if (!personal && !text(p.Organization) && identifiers.length === 0) {
          yield { type: 'problem', key: `person:${p.ROWID}`, message: 'an empty contact', source };
        } else {
          yield {
            type: 'contact',
            key: `contact:${p.ROWID}`,
            name: personal || text(p.Organization),
            identifiers,
            source,
          } satisfies IngestRecord;
        }
        ctx.progress((done += 1), total);
      }
    }
  },
};
