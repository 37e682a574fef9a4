import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

import { LEGACY_CALLS, writeCalls, type AndroidCallFixture } from './androidCallLogDb.js';

/** One raw contact as a test describes it; the builder writes its data rows. */
export interface AndroidContactFixture {
  /** raw_contacts.display_name; left out, the phone had not computed one. */
  displayName?: string;
  /** The structured name row's data1. */
  name?: string;
  organization?: string;
  phones?: string[];
  emails?: string[];
  deleted?: boolean;
}

const MIMETYPES = [
  'vnd.android.cursor.item/email_v2',
  'vnd.android.cursor.item/im',
  'vnd.android.cursor.item/nickname',
  'vnd.android.cursor.item/organization',
  'vnd.android.cursor.item/phone_v2',
  'vnd.android.cursor.item/sip_address',
  'vnd.android.cursor.item/name',
  'vnd.android.cursor.item/postal-address_v2',
  'vnd.android.cursor.item/identity',
  'vnd.android.cursor.item/photo',
  'vnd.android.cursor.item/group_membership',
];

/**
 * Writes an Android 4 to 6 contacts2.db: accounts, raw_contacts, data,
 * mimetypes and contacts with the columns of that era, and, when `calls` is
 * given, the call log that lived in it before calllog.db.
 */
export function androidContactsDb(
  dir: string,
  options: { contacts: AndroidContactFixture[]; calls?: AndroidCallFixture[]; name?: string },
): string {
  const path = join(dir, options.name ?? 'contacts2.db');
  const db = new Database(path);
  // As on the phone: Android's schema points data at tables named package and mimetype,
  // which do not exist, so its foreign keys are never enforced.
  db.pragma('foreign_keys = OFF');
  db.exec(`
    CREATE TABLE android_metadata (locale TEXT);
    CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_name TEXT,
      account_type TEXT, data_set TEXT);
    CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,
      account_id INTEGER REFERENCES accounts(_id), sourceid TEXT,
      raw_contact_is_read_only INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,
      dirty INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
      contact_id INTEGER REFERENCES contacts(_id), aggregation_mode INTEGER NOT NULL DEFAULT 0,
      aggregation_needed INTEGER NOT NULL DEFAULT 1, custom_ringtone TEXT,
      send_to_voicemail INTEGER NOT NULL DEFAULT 0, times_contacted INTEGER NOT NULL DEFAULT 0,
      last_time_contacted INTEGER, starred INTEGER NOT NULL DEFAULT 0, display_name TEXT,
      display_name_alt TEXT, display_name_source INTEGER NOT NULL DEFAULT 0, phonetic_name TEXT,
      phonetic_name_style TEXT, sort_key TEXT, sort_key_alt TEXT,
      name_verified INTEGER NOT NULL DEFAULT 0, sync1 TEXT, sync2 TEXT, sync3 TEXT, sync4 TEXT);
    CREATE TABLE contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT,
      name_raw_contact_id INTEGER REFERENCES raw_contacts(_id),
      photo_id INTEGER REFERENCES data(_id), photo_file_id INTEGER REFERENCES photo_files(_id),
      custom_ringtone TEXT, send_to_voicemail INTEGER NOT NULL DEFAULT 0,
      times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER,
      starred INTEGER NOT NULL DEFAULT 0, has_phone_number INTEGER NOT NULL DEFAULT 0,
      lookup TEXT, status_update_id INTEGER REFERENCES data(_id),
      contact_last_updated_timestamp INTEGER);
    CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL);
    CREATE UNIQUE INDEX mime_type ON mimetypes (mimetype);
    CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT,
      package_id INTEGER REFERENCES package(_id),
      mimetype_id INTEGER REFERENCES mimetype(_id) NOT NULL,
      raw_contact_id INTEGER REFERENCES raw_contacts(_id) NOT NULL,
      is_read_only INTEGER NOT NULL DEFAULT 0, is_primary INTEGER NOT NULL DEFAULT 0,
      is_super_primary INTEGER NOT NULL DEFAULT 0, data_version INTEGER NOT NULL DEFAULT 0,
      data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT, data5 TEXT, data6 TEXT, data7 TEXT,
      data8 TEXT, data9 TEXT, data10 TEXT, data11 TEXT, data12 TEXT, data13 TEXT, data14 TEXT,
      data15 TEXT, data_sync1 TEXT, data_sync2 TEXT, data_sync3 TEXT, data_sync4 TEXT);
    CREATE INDEX data_raw_contact_id ON data (raw_contact_id);
    INSERT INTO accounts (account_name, account_type) VALUES ('owner@example.org', 'com.google');
    ${options.calls ? LEGACY_CALLS : ''}
  `);
  const mimetype = new Map<string, number>();
  const addMime = db.prepare('INSERT INTO mimetypes (mimetype) VALUES (?)');
  for (const m of MIMETYPES) mimetype.set(m, Number(addMime.run(m).lastInsertRowid));

  const addContact = db.prepare(
    'INSERT INTO raw_contacts (account_id, deleted, display_name) VALUES (1, ?, ?)',
  );
  const addData = db.prepare(
    'INSERT INTO data (mimetype_id, raw_contact_id, data1, data2) VALUES (?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const c of options.contacts) {
      const id = Number(addContact.run(c.deleted ? 1 : 0, c.displayName ?? null).lastInsertRowid);
      const data = (kind: string, value: string, type: string | null) =>
        addData.run(mimetype.get(`vnd.android.cursor.item/${kind}`), id, value, type);
      // A group membership row, as every synced contact has: not a name or a number.
      data('group_membership', '6', null);
      if (c.name) data('name', c.name, null);
      if (c.organization) data('organization', c.organization, '1');
      for (const p of c.phones ?? []) data('phone_v2', p, '2');
      for (const e of c.emails ?? []) data('email_v2', e, '1');
    }
  })();
  if (options.calls) writeCalls(db, options.calls, true);
  db.close();
  return path;
}
