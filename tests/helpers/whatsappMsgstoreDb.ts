import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** One WhatsApp message as a test describes it; the builder writes it as the app stores it. */
export interface WaMessageFixture {
  /** The chat's jid, e.g. 447700900123@s.whatsapp.net or 1203630@g.us. */
  chat: string;
  fromMe: boolean;
  /** In a group, who wrote it. */
  sender?: string;
  text?: string | null;
  /** Unix ms. */
  timestamp: number;
  /** media_wa_type / message_type: 0 text, 1 image, 2 audio, 4 contact, 5 location, 7 system, 15 revoked. */
  type?: number;
  /** A system message's action code. */
  action?: number;
  media?: { mime: string | null; size: number; name?: string | null; path: string };
  location?: [number, number];
  vcard?: string;
  /** Marked deleted for everyone through message_revoked (new schema) rather than its type. */
  revoked?: boolean;
  /** A reply (new schema): the index in `messages` of the message quoted, or its key_id if not there. */
  quote?: { of: number | string; text: string };
}

export interface WaStoreFixture {
  /**
   * legacy: `messages` and chat_list; modern: message, chat and jid; both: the two, each holding
   * every message; migrating: the two, the new tables holding only their placeholder row.
   */
  schema: 'legacy' | 'modern' | 'both' | 'migrating';
  chats: { jid: string; subject?: string }[];
  /** Group members as the app lists them: group jid and member jid. */
  members?: [string, string][];
  messages: WaMessageFixture[];
  /** WhatsApp calls, written to call_log (new schema only). */
  calls?: WaCallFixture[];
  name?: string;
}

export interface WaCallFixture {
  /** The other person's jid; null for a row whose jid is gone. */
  jid: string | null;
  fromMe: boolean;
  /** Unix ms. */
  timestamp: number;
  /** Seconds. */
  duration: number;
  video?: boolean;
  /** WhatsApp's own, undocumented outcome code. */
  result?: number;
  group?: string;
}

const LEGACY = `
  CREATE TABLE messages (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT NOT NULL,
    key_from_me INTEGER, key_id TEXT NOT NULL, status INTEGER, data TEXT, timestamp INTEGER,
    media_mime_type TEXT, media_wa_type TEXT, media_size INTEGER, media_name TEXT,
    media_caption TEXT, latitude REAL, longitude REAL, remote_resource TEXT);
  CREATE TABLE chat_list (_id INTEGER PRIMARY KEY AUTOINCREMENT, key_remote_jid TEXT UNIQUE,
    subject TEXT);
  CREATE TABLE group_participants (_id INTEGER PRIMARY KEY AUTOINCREMENT, gjid TEXT NOT NULL,
    jid TEXT NOT NULL);
  INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, timestamp,
    media_wa_type, media_size) VALUES (1, '-1', 0, '-1', -1, 0, '-1', -1);
`;

const MODERN = `
  CREATE TABLE jid (_id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL,
    server TEXT NOT NULL, agent INTEGER, device INTEGER, type INTEGER, raw_string TEXT);
  CREATE TABLE chat (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER UNIQUE,
    subject TEXT);
  CREATE TABLE message (_id INTEGER PRIMARY KEY AUTOINCREMENT, chat_row_id INTEGER NOT NULL,
    from_me INTEGER NOT NULL, key_id TEXT NOT NULL, sender_jid_row_id INTEGER, status INTEGER,
    timestamp INTEGER, message_type INTEGER, text_data TEXT, sort_id INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE message_media (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
    file_path TEXT, file_size INTEGER, mime_type TEXT, file_length INTEGER, media_name TEXT);
  CREATE TABLE message_system (message_row_id INTEGER PRIMARY KEY, action_type INTEGER NOT NULL);
  CREATE TABLE message_revoked (message_row_id INTEGER PRIMARY KEY, revoked_key_id TEXT NOT NULL);
  CREATE TABLE message_location (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER,
    latitude REAL, longitude REAL);
  CREATE TABLE message_vcard (_id INTEGER PRIMARY KEY AUTOINCREMENT, message_row_id INTEGER,
    vcard TEXT);
  CREATE TABLE group_participant_user (_id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_jid_row_id INTEGER NOT NULL, user_jid_row_id INTEGER NOT NULL);
  CREATE TABLE message_quoted (message_row_id INTEGER PRIMARY KEY, chat_row_id INTEGER NOT NULL,
    parent_message_chat_row_id INTEGER, from_me INTEGER NOT NULL, sender_jid_row_id INTEGER,
    key_id TEXT NOT NULL, timestamp INTEGER, message_type INTEGER, origin INTEGER,
    text_data TEXT);
  CREATE TABLE call_log (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid_row_id INTEGER,
    from_me INTEGER, call_id TEXT, transaction_id INTEGER, timestamp INTEGER, video_call INTEGER,
    duration INTEGER, call_result INTEGER, bytes_transferred INTEGER, group_jid_row_id INTEGER
    NOT NULL DEFAULT 0);
  INSERT INTO message (_id, chat_row_id, from_me, key_id) VALUES (1, -1, 0, '-1');
`;

/**
 * Writes a WhatsApp msgstore.db with the tables and columns (those the parser
 * reads, declared as the app declares them) of its legacy schema, its new
 * one, or both, each with the placeholder first row the app writes.
 */
export function whatsappMsgstoreDb(dir: string, options: WaStoreFixture): string {
  const path = join(dir, options.name ?? 'msgstore.db');
  const db = new Database(path);
  const legacy = options.schema !== 'modern';
  const modern = options.schema !== 'legacy';
  db.exec((legacy ? LEGACY : '') + (modern ? MODERN : ''));
  db.transaction(() => {
    if (legacy) writeLegacy(db, options);
    if (modern && options.schema !== 'migrating') writeModern(db, options);
  })();
  db.close();
  return path;
}

function writeLegacy(db: Database.Database, o: WaStoreFixture): void {
  for (const c of o.chats) {
    db.prepare('INSERT INTO chat_list (key_remote_jid, subject) VALUES (?, ?)').run(
      c.jid,
      c.subject ?? null,
    );
  }
  for (const [group, jid] of o.members ?? []) {
    db.prepare('INSERT INTO group_participants (gjid, jid) VALUES (?, ?)').run(group, jid);
  }
  const insert = db.prepare(
    `INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp,
       media_mime_type, media_wa_type, media_size, media_name, media_caption, latitude, longitude,
       remote_resource) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // In the migration years message_media also describes legacy rows, by the same row id.
  const media =
    o.schema === 'migrating'
      ? db.prepare(
          'INSERT INTO message_media (message_row_id, file_path, file_size, mime_type) VALUES (?, ?, ?, ?)',
        )
      : null;
  o.messages.forEach((m, i) => {
    const type = m.type ?? 0;
    const text = m.vcard ?? m.text ?? null;
    const row = insert.run(
      m.chat,
      m.fromMe ? 1 : 0,
      `KEY${i}`,
      type === 7 ? 6 : m.fromMe ? 13 : 0,
      m.media ? null : text,
      m.timestamp,
      m.media?.mime ?? null,
      String(type === 7 ? 0 : type),
      type === 7 ? (m.action ?? 0) : (m.media?.size ?? 0),
      m.media?.name ?? null,
      m.media ? text : null,
      m.location?.[0] ?? 0,
      m.location?.[1] ?? 0,
      m.sender ?? null,
    );
    if (media && m.media) {
      media.run(row.lastInsertRowid, m.media.path, m.media.size, m.media.mime);
    }
  });
}

function writeModern(db: Database.Database, o: WaStoreFixture): void {
  const jids = new Map<string, number>();
  const jid = (raw: string) => {
    if (!jids.has(raw)) {
      const [user, server] = raw.split('@');
      const r = db
        .prepare(
          'INSERT INTO jid (user, server, agent, device, type, raw_string) VALUES (?, ?, 0, 0, 0, ?)',
        )
        .run(user, server, raw);
      jids.set(raw, Number(r.lastInsertRowid));
    }
    return jids.get(raw)!;
  };
  const chats = new Map<string, number>();
  for (const c of o.chats) {
    const r = db
      .prepare('INSERT INTO chat (jid_row_id, subject) VALUES (?, ?)')
      .run(jid(c.jid), c.subject ?? null);
    chats.set(c.jid, Number(r.lastInsertRowid));
  }
  for (const [group, member] of o.members ?? []) {
    db.prepare(
      'INSERT INTO group_participant_user (group_jid_row_id, user_jid_row_id) VALUES (?, ?)',
    ).run(jid(group), jid(member));
  }
  (o.calls ?? []).forEach((c, i) => {
    db.prepare(
      `INSERT INTO call_log (jid_row_id, from_me, call_id, transaction_id, timestamp, video_call,
         duration, call_result, bytes_transferred, group_jid_row_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
    ).run(
      c.jid === null ? 9999 : jid(c.jid),
      c.fromMe ? 1 : 0,
      `CALL${i}`,
      i,
      c.timestamp,
      c.video ? 1 : 0,
      c.duration,
      c.result ?? 5,
      c.group ? jid(c.group) : 0,
    );
  });
  const insert = db.prepare(
    `INSERT INTO message (chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp,
       message_type, text_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  o.messages.forEach((m, i) => {
    const type = m.type ?? 0;
    const id = Number(
      insert.run(
        chats.get(m.chat) ?? 9999,
        m.fromMe ? 1 : 0,
        `KEY${i}`,
        m.sender ? jid(m.sender) : 0,
        m.fromMe ? 13 : 0,
        m.timestamp,
        type,
        m.text ?? null,
      ).lastInsertRowid,
    );
    if (m.media) {
      db.prepare(
        `INSERT INTO message_media (message_row_id, chat_row_id, file_path, file_size, mime_type,
           file_length, media_name) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        chats.get(m.chat) ?? null,
        m.media.path,
        m.media.size,
        m.media.mime,
        m.media.size,
        m.media.name ?? null,
      );
    }
    if (m.quote) {
      const quoted = typeof m.quote.of === 'number' ? o.messages[m.quote.of] : undefined;
      db.prepare(
        `INSERT INTO message_quoted (message_row_id, chat_row_id, parent_message_chat_row_id,
           from_me, key_id, timestamp, message_type, text_data) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
      ).run(
        id,
        chats.get(m.chat) ?? 9999,
        quoted ? (chats.get(quoted.chat) ?? 9999) : null,
        quoted?.fromMe ? 1 : 0,
        typeof m.quote.of === 'number' ? `KEY${m.quote.of}` : m.quote.of,
        quoted?.timestamp ?? 0,
        m.quote.text,
      );
    }
    if (type === 7) {
      db.prepare('INSERT INTO message_system (message_row_id, action_type) VALUES (?, ?)').run(
        id,
        m.action ?? 0,
      );
    }
    if (m.revoked) {
      db.prepare('INSERT INTO message_revoked (message_row_id, revoked_key_id) VALUES (?, ?)').run(
        id,
        `KEY${i}`,
      );
    }
    if (m.location) {
      db.prepare(
        'INSERT INTO message_location (message_row_id, latitude, longitude) VALUES (?, ?, ?)',
      ).run(id, ...m.location);
    }
    if (m.vcard) {
      db.prepare('INSERT INTO message_vcard (message_row_id, vcard) VALUES (?, ?)').run(
        id,
        m.vcard,
      );
    }
  });
}

/** Writes a WhatsApp wa.db: the app's address book, one row per jid. */
export function waContactsDb(
  dir: string,
  contacts: { jid: string; displayName: string | null; waName?: string | null; number?: string }[],
): string {
  const path = join(dir, 'wa.db');
  const db = new Database(path);
  db.exec(`CREATE TABLE wa_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, jid TEXT NOT NULL,
    is_whatsapp_user BOOLEAN NOT NULL, status TEXT, number TEXT, display_name TEXT,
    wa_name TEXT)`);
  for (const c of contacts) {
    db.prepare(
      'INSERT INTO wa_contacts (jid, is_whatsapp_user, number, display_name, wa_name) VALUES (?, 1, ?, ?, ?)',
    ).run(c.jid, c.number ?? null, c.displayName, c.waName ?? null);
  }
  db.close();
  return path;
}
