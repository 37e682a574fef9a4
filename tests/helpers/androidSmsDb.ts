import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** One message as a test describes it; the builder writes it as Android stores it. */
export interface SmsFixture {
  thread: number;
  address: string;
  /** Unix ms, as sms.date holds it. */
  date: number;
  /** 1 inbox, 2 sent, 3 draft. */
  type: number;
  body: string | null;
}

export interface MmsFixture {
  thread: number;
  /** The sender's address (addr type 137). */
  from: string;
  /** Unix seconds, as pdu.date holds it. */
  date: number;
  /** 1 inbox, 2 sent. */
  box: number;
  text: string | null;
  image?: string;
}

/**
 * Writes an Android telephony provider database (mmssms.db) with the tables
 * and columns of Android 4 to 10 that the parser reads, filled as given.
 */
export function androidSmsDb(
  dir: string,
  options: {
    threads: { id: number; addresses: string[] }[];
    sms: SmsFixture[];
    mms?: MmsFixture[];
    wal?: boolean;
    name?: string;
  },
): string {
  const path = join(dir, options.name ?? 'mmssms.db');
  const db = new Database(path);
  if (options.wal) db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE android_metadata (locale TEXT);
    CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
    CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0,
      message_count INTEGER DEFAULT 0, recipient_ids TEXT, snippet TEXT, read INTEGER DEFAULT 1);
    CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER,
      date INTEGER, date_sent INTEGER DEFAULT 0, read INTEGER DEFAULT 0, status INTEGER DEFAULT -1,
      type INTEGER, subject TEXT, body TEXT, seen INTEGER DEFAULT 0);
    CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date INTEGER,
      msg_box INTEGER, sub TEXT, m_type INTEGER);
    CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, address TEXT, type INTEGER);
    CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER, seq INTEGER DEFAULT 0,
      ct TEXT, name TEXT, cl TEXT, _data TEXT, text TEXT);
  `);
  const canonical = new Map<string, number>();
  const addressId = (address: string) => {
    if (!canonical.has(address)) {
      const r = db.prepare('INSERT INTO canonical_addresses (address) VALUES (?)').run(address);
      canonical.set(address, Number(r.lastInsertRowid));
    }
    return canonical.get(address)!;
  };
  const write = db.transaction(() => {
    for (const t of options.threads) {
      db.prepare('INSERT INTO threads (_id, recipient_ids) VALUES (?, ?)').run(
        t.id,
        t.addresses.map(addressId).join(' '),
      );
    }
    const sms = db.prepare(
      'INSERT INTO sms (thread_id, address, date, type, body) VALUES (?, ?, ?, ?, ?)',
    );
    for (const m of options.sms) sms.run(m.thread, m.address, m.date, m.type, m.body);
    for (const m of options.mms ?? []) {
      const id = Number(
        db
          .prepare('INSERT INTO pdu (thread_id, date, msg_box, m_type) VALUES (?, ?, ?, 132)')
          .run(m.thread, m.date, m.box).lastInsertRowid,
      );
      db.prepare('INSERT INTO addr (msg_id, address, type) VALUES (?, ?, 137)').run(id, m.from);
      db.prepare(
        `INSERT INTO part (mid, ct, cl, text) VALUES (?, 'application/smil', 'smil.xml', '<smil/>')`,
      ).run(id);
      if (m.text !== null) {
        db.prepare(`INSERT INTO part (mid, ct, text) VALUES (?, 'text/plain', ?)`).run(id, m.text);
      }
      if (m.image) {
        db.prepare(`INSERT INTO part (mid, ct, cl, _data) VALUES (?, 'image/jpeg', ?, ?)`).run(
          id,
          m.image,
          `/data/user_de/0/com.android.providers.telephony/app_parts/PART_${id}_${m.image}`,
        );
      }
    }
  });
  write();
  db.close();
  return path;
}
