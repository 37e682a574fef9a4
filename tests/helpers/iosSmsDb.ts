import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** One message as a test describes it; the builder writes it as iOS stores it. */
export interface IosMessageFixture {
  /** The chat's index in `chats`, or null for a message joined to no chat. */
  chat: number | null;
  /** The handle's address; the sender of an incoming message. */
  handle: string | null;
  /** As message.date holds it: Apple seconds (before iOS 11) or nanoseconds. */
  date: number | bigint;
  fromMe: boolean;
  text?: string | Buffer | null;
  /** message.attributedBody as stored: build one with `attributedBody`. */
  attributedBody?: Buffer | null;
  service?: 'SMS' | 'iMessage' | 'MMS';
  attachments?: { filename: string; mime: string; bytes: number }[];
  /** In iOS 16's Recently Deleted. */
  recoverable?: boolean;
  /** message.message_summary_info as stored (iOS 16 on): a binary property list. */
  summaryInfo?: Buffer;
}

export interface IosChatFixture {
  handles: string[];
  service: 'SMS' | 'iMessage';
  name?: string;
}

/** Nanoseconds since 2001-01-01 for an ISO time, as iOS 11 and later write message.date. */
export function appleNs(iso: string): bigint {
  return BigInt(Date.parse(iso) - Date.UTC(2001, 0, 1)) * 1_000_000n;
}

function typedInteger(n: number): Buffer {
  if (n >= 0 && n < 0x80) return Buffer.from([n]);
  if (n < 0x8000) {
    const b = Buffer.alloc(3);
    b[0] = 0x81;
    b.writeInt16LE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = 0x82;
  b.writeInt32LE(n, 1);
  return b;
}

function newString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return Buffer.concat([Buffer.from([0x84]), typedInteger(bytes.length), bytes]);
}

/**
 * An archived NSAttributedString holding `text`, laid out as Messages writes
 * one: header, the attributed string's class chain, then the NSString's.
 */
export function attributedBody(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([
    Buffer.from([0x04]),
    newString('streamtyped').subarray(1),
    Buffer.from([0x81, 0xe8, 0x03, 0x84, 0x01, 0x40, 0x84, 0x84]),
    newString('NSMutableAttributedString'),
    Buffer.from([0x00, 0x84]),
    newString('NSAttributedString'),
    Buffer.from([0x00, 0x84]),
    newString('NSObject'),
    Buffer.from([0x00, 0x85, 0x92, 0x84, 0x84]),
    newString('NSMutableString'),
    Buffer.from([0x01, 0x84]),
    newString('NSString'),
    Buffer.from([0x01, 0x95]),
    newString('+'),
    typedInteger(bytes.length),
    bytes,
    Buffer.from([0x86, 0x86]),
  ]);
}

/**
 * Writes an iOS Messages database (sms.db) with the iOS 16 tables and the
 * columns the parser reads, filled as given. `drop` leaves tables out, as
 * reduced or partial extractions do.
 */
export function iosSmsDb(
  dir: string,
  options: {
    chats: IosChatFixture[];
    messages: IosMessageFixture[];
    handles?: string[];
    drop?: string[];
    name?: string;
  },
): string {
  const path = join(dir, options.name ?? 'sms.db');
  const db = new Database(path);
  db.exec(`
    CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
    CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL,
      country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT,
      UNIQUE (id, service));
    CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
      text TEXT, handle_id INTEGER DEFAULT 0, attributedBody BLOB, service TEXT, date INTEGER,
      is_from_me INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0,
      message_summary_info BLOB);
    CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
      style INTEGER, chat_identifier TEXT, service_name TEXT, display_name TEXT);
    CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER, UNIQUE(chat_id, handle_id));
    CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, message_date INTEGER,
      PRIMARY KEY (chat_id, message_id));
    CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
      filename TEXT, mime_type TEXT, transfer_name TEXT, total_bytes INTEGER DEFAULT 0);
    CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER,
      UNIQUE(message_id, attachment_id));
    CREATE TABLE chat_recoverable_message_join (chat_id INTEGER, message_id INTEGER,
      delete_date INTEGER, PRIMARY KEY (chat_id, message_id));
  `);
  const handles = new Map<string, number>();
  const handleId = (address: string, service: string) => {
    const k = `${service}|${address}`;
    if (!handles.has(k)) {
      const r = db.prepare('INSERT INTO handle (id, service) VALUES (?, ?)').run(address, service);
      handles.set(k, Number(r.lastInsertRowid));
    }
    return handles.get(k)!;
  };

  const write = db.transaction(() => {
    for (const address of options.handles ?? []) handleId(address, 'SMS');
    const chatIds = options.chats.map((c, i) => {
      const id = Number(
        db
          .prepare(
            'INSERT INTO chat (guid, style, chat_identifier, service_name, display_name) VALUES (?, ?, ?, ?, ?)',
          )
          .run(
            `${c.service};${c.handles.length > 1 ? '+' : '-'};chat${i}`,
            c.handles.length > 1 ? 43 : 45,
            c.handles.length > 1 ? `chat${i}` : c.handles[0],
            c.service,
            c.name ?? '',
          ).lastInsertRowid,
      );
      for (const h of c.handles) {
        db.prepare('INSERT INTO chat_handle_join VALUES (?, ?)').run(id, handleId(h, c.service));
      }
      return id;
    });

    options.messages.forEach((m, i) => {
      const service = m.service ?? (m.chat === null ? 'SMS' : options.chats[m.chat]!.service);
      const id = Number(
        db
          .prepare(
            `INSERT INTO message (guid, text, handle_id, attributedBody, service, date, is_from_me,
               cache_has_attachments, message_summary_info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            `GUID-${i}`,
            m.text ?? null,
            m.handle === null ? 0 : handleId(m.handle, service),
            m.attributedBody ?? null,
            service,
            m.date,
            m.fromMe ? 1 : 0,
            m.attachments?.length ? 1 : 0,
            m.summaryInfo ?? null,
          ).lastInsertRowid,
      );
      if (m.chat !== null) {
        db.prepare('INSERT INTO chat_message_join VALUES (?, ?, ?)').run(
          chatIds[m.chat],
          id,
          m.date,
        );
      }
      if (m.recoverable) {
        db.prepare('INSERT INTO chat_recoverable_message_join VALUES (?, ?, 0)').run(
          chatIds[m.chat ?? 0],
          id,
        );
      }
      for (const a of m.attachments ?? []) {
        const attachment = db
          .prepare(
            'INSERT INTO attachment (guid, filename, mime_type, total_bytes) VALUES (?, ?, ?, ?)',
          )
          .run(`AT-${i}-${a.filename}`, a.filename, a.mime, a.bytes).lastInsertRowid;
        db.prepare('INSERT INTO message_attachment_join VALUES (?, ?)').run(id, attachment);
      }
    });
  });
  write();
  for (const table of options.drop ?? []) db.exec(`DROP TABLE "${table}"`);
  db.close();
  return path;
}
