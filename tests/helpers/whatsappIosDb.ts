import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

/** A chat as a test describes it; `jid` ends @g.us for a group. */
export interface IosWaChat {
  jid: string;
  name: string;
  members?: { jid: string; name?: string }[];
}

export interface IosWaMessage {
  /** Index into the chats. */
  chat: number;
  fromMe: boolean;
  /** A group message's sender: index into its chat's members. */
  member?: number;
  text?: string | null;
  /** Unix ms. */
  at: number;
  type?: number;
  media?: { path: string; size: number };
}

/**
 * Writes a ChatStorage.sqlite as WhatsApp on the iPhone keeps it (Core Data:
 * Z_PK keys, Z-prefixed columns, dates in seconds since 2001), with the
 * tables and columns the reader uses.
 */
export function whatsappIosDb(dir: string, chats: IosWaChat[], messages: IosWaMessage[]): string {
  const path = join(dir, 'ChatStorage.sqlite');
  const db = new Database(path);
  db.exec(`
    CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, ZCONTACTJID VARCHAR,
      ZPARTNERNAME VARCHAR, ZSESSIONTYPE INTEGER, ZLASTMESSAGEDATE TIMESTAMP);
    CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER,
      ZMEMBERJID VARCHAR, ZCONTACTNAME VARCHAR);
    CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZGROUPMEMBER INTEGER,
      ZFROMJID VARCHAR, ZTOJID VARCHAR, ZTEXT VARCHAR, ZMESSAGEDATE TIMESTAMP, ZMESSAGETYPE INTEGER,
      ZISFROMME INTEGER);
    CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZMEDIALOCALPATH VARCHAR,
      ZFILESIZE INTEGER, ZTITLE VARCHAR);
  `);
  const apple = (ms: number) => (ms - Date.UTC(2001, 0, 1)) / 1000;
  db.transaction(() => {
    const memberIds: number[][] = [];
    chats.forEach((c, i) => {
      const group = c.jid.endsWith('@g.us');
      db.prepare(
        'INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE) VALUES (?, ?, ?, ?)',
      ).run(i + 1, c.jid, c.name, group ? 1 : 0);
      memberIds.push(
        (c.members ?? []).map((m) =>
          Number(
            db
              .prepare(
                'INSERT INTO ZWAGROUPMEMBER (ZCHATSESSION, ZMEMBERJID, ZCONTACTNAME) VALUES (?, ?, ?)',
              )
              .run(i + 1, m.jid, m.name ?? null).lastInsertRowid,
          ),
        ),
      );
    });
    for (const m of messages) {
      const chat = chats[m.chat]!;
      const id = Number(
        db
          .prepare(
            `INSERT INTO ZWAMESSAGE (ZCHATSESSION, ZGROUPMEMBER, ZFROMJID, ZTOJID, ZTEXT, ZMESSAGEDATE,
               ZMESSAGETYPE, ZISFROMME) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            m.chat + 1,
            m.member === undefined ? null : memberIds[m.chat]![m.member]!,
            m.fromMe ? null : chat.jid,
            m.fromMe ? chat.jid : null,
            m.text ?? null,
            apple(m.at),
            m.type ?? 0,
            m.fromMe ? 1 : 0,
          ).lastInsertRowid,
      );
      if (m.media) {
        db.prepare(
          'INSERT INTO ZWAMEDIAITEM (ZMESSAGE, ZMEDIALOCALPATH, ZFILESIZE) VALUES (?, ?, ?)',
        ).run(id, m.media.path, m.media.size);
      }
    }
  })();
  db.close();
  return path;
}
