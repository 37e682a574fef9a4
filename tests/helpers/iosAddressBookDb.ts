import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** One person as a test describes them; the builder writes them as iOS's address book does. */
export interface IosPersonFixture {
  first?: string | null;
  last?: string | null;
  organization?: string | null;
  phones?: string[];
  emails?: string[];
}

/**
 * Writes an iOS AddressBook.sqlitedb with the ABPerson and ABMultiValue
 * columns the parser reads (property 3 numbers, 4 e-mail addresses).
 */
export function iosAddressBookDb(
  dir: string,
  people: IosPersonFixture[],
  name = 'AddressBook.sqlitedb',
): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec(`
    CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
    CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT,
      Middle TEXT, FirstPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT,
      Kind INTEGER, Nickname TEXT, CreationDate INTEGER, ModificationDate INTEGER);
    CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER,
      identifier INTEGER, label INTEGER, value TEXT);
    CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value));
  `);
  const person = db.prepare('INSERT INTO ABPerson (First, Last, Organization) VALUES (?, ?, ?)');
  const value = db.prepare(
    'INSERT INTO ABMultiValue (record_id, property, identifier, label, value) VALUES (?, ?, ?, 1, ?)',
  );
  db.transaction(() => {
    for (const p of people) {
      const id = person.run(
        p.first ?? null,
        p.last ?? null,
        p.organization ?? null,
      ).lastInsertRowid;
      (p.phones ?? []).forEach((phone, i) => value.run(id, 3, i, phone));
      (p.emails ?? []).forEach((email, i) => value.run(id, 4, i, email));
    }
  })();
  db.close();
  return path;
}
