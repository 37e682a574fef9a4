import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';

import { iosAddressBook } from '../../../../workers/ingest/formats/iosAddressBook.js';
import { iosAddressBookDb } from '../../../helpers/iosAddressBookDb.js';
import { parseSqlite } from '../../../helpers/parseSqlite.js';
import { useTempDirs } from '../../../helpers/temp.js';

describe('iosAddressBook', () => {
  const tempDir = useTempDirs();

  it('reads each person with their numbers and addresses normalised, and reports an empty card', () => {
    const path = iosAddressBookDb(tempDir(), [
      {
        first: 'Ștefan',
        last: 'Popescu',
        phones: ['07700 900123', '+44 7700 900123', '07700 900456'],
        emails: ['Stef@Example.org'],
      },
      { organization: 'Taxi Firm Ltd', phones: ['0161 496 0000'] },
      { first: '  ', last: null },
      { first: 'Jo', phones: ['not a number'] },
    ]);
    // Values of people not there, and a record id that is not a number, are passed over.
    const db = new Database(path);
    db.exec(`INSERT INTO ABMultiValue (record_id, property, value) VALUES
      (0, 3, '07700 900111'), ('x', 3, '07700 900222'), (99, 4, 'gone@example.org')`);
    db.close();

    const { records, progress } = parseSqlite(iosAddressBook, path);

    expect(records).toEqual([
      {
        type: 'contact',
        key: 'contact:1',
        name: 'Ștefan Popescu',
        identifiers: ['+447700900123', '+447700900456', 'stef@example.org'],
        source: { file: 'AddressBook.sqlitedb', table: 'ABPerson', rowId: 1 },
      },
      expect.objectContaining({ name: 'Taxi Firm Ltd', identifiers: ['+441614960000'] }),
      {
        type: 'problem',
        key: 'person:3',
        message: 'an empty contact',
        source: { file: 'AddressBook.sqlitedb', table: 'ABPerson', rowId: 3 },
      },
      expect.objectContaining({ name: 'Jo', identifiers: ['not a number'] }),
    ]);
    expect(progress.at(-1)).toEqual([4, 4]);
  });
});
