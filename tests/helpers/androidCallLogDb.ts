import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** One call as a test describes it; the builder writes it as Android's call log holds it. */
export interface AndroidCallFixture {
  /** As the phone wrote it: a number, or "-1", "-2", "-3" or "" for none. */
  number: string;
  /** Unix ms, as calls.date holds it. */
  date: number;
  /** Seconds. */
  duration: number;
  /** CallLog.Calls.TYPE: 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked, 7 answered externally. */
  type: number;
  name?: string;
  countryiso?: string;
  /** calllog.db only: 1 allowed, 2 restricted, 3 unknown, 4 payphone. */
  presentation?: number;
  /** calllog.db only: bit 0 is a video call. */
  features?: number;
  /** calllog.db only: deleted on the phone, not yet purged. */
  deleted?: boolean;
}

/**
 * The calls table as Android 4's contacts2.db holds it (the columns of the
 * corpus's plaso contacts2.db): no presentation, features or deleted yet.
 */
export const LEGACY_CALLS = `
  CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, date INTEGER,
    duration INTEGER, type INTEGER, new INTEGER, name TEXT, numbertype INTEGER, numberlabel TEXT,
    countryiso TEXT, voicemail_uri TEXT, is_read INTEGER, geocoded_location TEXT,
    lookup_uri TEXT, matched_number TEXT, normalized_number TEXT,
    photo_id INTEGER NOT NULL DEFAULT 0, formatted_number TEXT, _data TEXT, has_content INTEGER,
    mime_type TEXT, source_data TEXT, source_package TEXT, state INTEGER);
`;

/** calllog.db's calls table at its schema version 8 (Android 10 on), voicemail columns included. */
const CALLLOG_CALLS = `
  CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT,
    presentation INTEGER NOT NULL DEFAULT 1, post_dial_digits TEXT NOT NULL DEFAULT '',
    via_number TEXT NOT NULL DEFAULT '', date INTEGER, duration INTEGER, data_usage INTEGER,
    type INTEGER, features INTEGER NOT NULL DEFAULT 0, subscription_component_name TEXT,
    subscription_id TEXT, phone_account_address TEXT,
    phone_account_hidden INTEGER NOT NULL DEFAULT 0, sub_id INTEGER DEFAULT -1, new INTEGER,
    name TEXT, numbertype INTEGER, numberlabel TEXT, countryiso TEXT, voicemail_uri TEXT,
    is_read INTEGER, geocoded_location TEXT, lookup_uri TEXT, matched_number TEXT,
    normalized_number TEXT, photo_id INTEGER NOT NULL DEFAULT 0, photo_uri TEXT,
    formatted_number TEXT, add_for_all_users INTEGER NOT NULL DEFAULT 1,
    last_modified INTEGER DEFAULT 0, call_screening_component_name TEXT,
    call_screening_app_name TEXT, block_reason INTEGER NOT NULL DEFAULT 0, _data TEXT,
    has_content INTEGER, mime_type TEXT, source_data TEXT, source_package TEXT,
    transcription TEXT, transcription_state INTEGER NOT NULL DEFAULT 0, state INTEGER,
    dirty INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
    backed_up INTEGER NOT NULL DEFAULT 0, restored INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0, is_omtp_voicemail INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE voicemail_status (_id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_package TEXT NOT NULL, phone_account_component_name TEXT, phone_account_id TEXT,
    settings_uri TEXT, voicemail_access_uri TEXT, configuration_state INTEGER,
    data_channel_state INTEGER, notification_channel_state INTEGER,
    quota_occupied INTEGER DEFAULT -1, quota_total INTEGER DEFAULT -1, source_type TEXT);
`;

/** Fills a calls table of either variant; a field the legacy table lacks is refused. */
export function writeCalls(db: Database.Database, calls: AndroidCallFixture[], legacy: boolean) {
  const insert = legacy
    ? db.prepare(
        `INSERT INTO calls (number, date, duration, type, new, name, countryiso)
         VALUES (@number, @date, @duration, @type, 0, @name, @countryiso)`,
      )
    : db.prepare(
        `INSERT INTO calls (number, presentation, date, duration, type, features, new, name,
           countryiso, deleted)
         VALUES (@number, @presentation, @date, @duration, @type, @features, 0, @name,
           @countryiso, @deleted)`,
      );
  db.transaction(() => {
    for (const c of calls) {
      if (legacy && (c.presentation ?? c.features ?? c.deleted) !== undefined) {
        throw new Error('contacts2.db of Android 4 has no presentation, features or deleted');
      }
      insert.run({
        number: c.number,
        date: c.date,
        duration: c.duration,
        type: c.type,
        name: c.name ?? null,
        countryiso: c.countryiso ?? 'GB',
        ...(legacy
          ? {}
          : {
              presentation: c.presentation ?? 1,
              features: c.features ?? 0,
              deleted: c.deleted ? 1 : 0,
            }),
      });
    }
  })();
}

/**
 * Writes an Android 7+ calllog.db (com.android.providers.contacts) with its
 * properties table and the calls and voicemail_status tables of schema 8.
 */
export function androidCallLogDb(
  dir: string,
  calls: AndroidCallFixture[],
  name = 'calllog.db',
): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.pragma('user_version = 8');
  db.exec(`
    CREATE TABLE android_metadata (locale TEXT);
    INSERT INTO android_metadata VALUES ('en_GB');
    CREATE TABLE properties (property_key TEXT PRIMARY KEY, property_value TEXT);
    ${CALLLOG_CALLS}
  `);
  writeCalls(db, calls, false);
  db.close();
  return path;
}
