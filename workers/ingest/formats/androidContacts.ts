import type { Database } from 'better-sqlite3';

import type { SqliteFormat } from '../formats.js';
import { callLogRecords, hasCallLog } from './androidCallLog.js';
import { hasRawContacts, rawContactRecords } from './androidRawContacts.js';

function countOf(db: Database, table: string): number {
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } catch {
    return 0;
  }
}

/**
 * Android's contacts provider: the call log in calllog.db (Android 7 on) or
 * in contacts2.db (before it, beside the address book), and the address book
 * in contacts2.db. Told by its tables, so either file, or one holding both,
 * is read for everything it has.
 * Not yet: Samsung's own call log (logs.db, table logs) is not read.
 */
export const androidContacts: SqliteFormat = {
  kind: 'sqlite',
  id: 'android.contacts',
  label: 'Android call log and contacts (calllog.db, contacts2.db)',

  matches(schema) {
    return hasCallLog(schema) || hasRawContacts(schema);
  },

  *parse(db, schema, ctx) {
    const calls = hasCallLog(schema);
    const contacts = hasRawContacts(schema);
    const total = (calls ? countOf(db, 'calls') : 0) + (contacts ? countOf(db, 'raw_contacts') : 0);
    let done = 0;
    const step = () => ctx.progress((done += 1), total);
    if (calls) yield* callLogRecords(db, schema, ctx, step);
    if (contacts) yield* rawContactRecords(db, schema, ctx, step);
  },
};
