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
    const values = db.prepare(
      `SELECT value FROM ABMultiValue WHERE record_id = ? AND property IN (${PHONE}, ${EMAIL})
       ORDER BY UID`,
    );
    const total = (db.prepare('SELECT count(*) AS n FROM ABPerson').get() as { n: number }).n;
    let done = 0;
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
        ...new Set(
          (values.all(p.ROWID) as { value: unknown }[])
            .map((v) => text(v.value))
            .filter((v): v is string => v !== null)
            .map((v) => normaliseAddress(v, ctx.region).identifier),
        ),
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
  },
};
