import { hasTables, type SqliteFormat, type SqliteSchema } from '../formats.js';
import type { AttachmentRecord, IngestRecord } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';
import { eachRow, numberOf, textOf, WhatsAppBook } from './whatsappRows.js';

/** 2001-01-01 in Unix ms: Core Data's dates are seconds since then. */
const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

function column(schema: SqliteSchema, table: string, name: string, alias = name): string {
  return schema.get(table)?.has(name) ? `"${name}" AS "${alias}"` : `NULL AS "${alias}"`;
}

interface SessionRow {
  _id: number;
  jid: unknown;
  name: unknown;
  type: unknown;
}

interface MessageRow {
  _id: number;
  session: unknown;
  fromJid: unknown;
  member: unknown;
  text: unknown;
  date: unknown;
  type: unknown;
  fromMe: unknown;
}

/**
 * WhatsApp on the iPhone (ChatStorage.sqlite, a Core Data store): chats in
 * ZWACHATSESSION, messages in ZWAMESSAGE with their time in Apple seconds,
 * a group message's sender through ZWAGROUPMEMBER, media in ZWAMEDIAITEM
 * (the path is inside the app's shared folder). A message type other than
 * text (0) is kept as a flag, `message-type-<n>`: WhatsApp does not document
 * its codes, so they are not named here.
 *
 * Not yet: quoted replies, reactions and calls (CallHistory.sqlite) of WhatsApp on iOS are not read.
 */
export const whatsappIos: SqliteFormat = {
  kind: 'sqlite',
  id: 'whatsapp.ios',
  label: 'WhatsApp on iOS (ChatStorage.sqlite)',

  matches(schema) {
    return hasTables(
      schema,
      'ZWAMESSAGE.ZCHATSESSION',
      'ZWAMESSAGE.ZISFROMME',
      'ZWAMESSAGE.ZMESSAGEDATE',
      'ZWACHATSESSION.ZCONTACTJID',
    );
  },

  *parse(db, schema, ctx) {
    const file = ctx.file.name;
    const book = new WhatsAppBook(ctx.region);

    const members = new Map<number, { jid: unknown; name: unknown }>();
    const byChat = new Map<number, { jid: unknown; name: unknown }[]>();
    if (hasTables(schema, 'ZWAGROUPMEMBER.ZMEMBERJID')) {
      yield* eachRow<{ _id: number; chat: unknown; jid: unknown; name: unknown }>(
        db,
        `SELECT Z_PK AS _id, ${column(schema, 'ZWAGROUPMEMBER', 'ZCHATSESSION', 'chat')},
           ZMEMBERJID AS jid, ${column(schema, 'ZWAGROUPMEMBER', 'ZCONTACTNAME', 'name')}
         FROM ZWAGROUPMEMBER ORDER BY Z_PK`,
        { file, table: 'ZWAGROUPMEMBER', what: 'group members' },
        (m) => {
          members.set(m._id, { jid: m.jid, name: m.name });
          const chat = numberOf(m.chat);
          if (chat !== null) byChat.set(chat, [...(byChat.get(chat) ?? []), m]);
        },
      );
    }

    yield* eachRow<SessionRow>(
      db,
      `SELECT Z_PK AS _id, ZCONTACTJID AS jid, ${column(schema, 'ZWACHATSESSION', 'ZPARTNERNAME', 'name')},
         ${column(schema, 'ZWACHATSESSION', 'ZSESSIONTYPE', 'type')}
       FROM ZWACHATSESSION ORDER BY Z_PK`,
      { file, table: 'ZWACHATSESSION', what: 'chats' },
      function* (c) {
        const source = { file, table: 'ZWACHATSESSION', rowId: c._id };
        const name = textOf(c.name, []);
        const jid = typeof c.jid === 'string' ? c.jid : null;
        const group = jid?.endsWith('@g.us') ?? false;
        const people = byChat.get(c._id) ?? [];
        // The partner name of a one-to-one chat is what the phone calls that person; a group
        // keeps its members' names.
        if (!group) yield* book.person(jid, source, name);
        for (const m of people) yield* book.person(m.jid, source, textOf(m.name, []));
        yield* book.thread(
          String(c._id),
          jid,
          group ? name : null,
          people.map((m) => m.jid),
          source,
        );
      },
    );

    const media = hasTables(schema, 'ZWAMEDIAITEM.ZMESSAGE')
      ? db.prepare(
          `SELECT ${column(schema, 'ZWAMEDIAITEM', 'ZMEDIALOCALPATH', 'path')},
             ${column(schema, 'ZWAMEDIAITEM', 'ZFILESIZE', 'size')},
             ${column(schema, 'ZWAMEDIAITEM', 'ZTITLE', 'title')}
           FROM ZWAMEDIAITEM WHERE ZMESSAGE = ? ORDER BY Z_PK LIMIT 1`,
        )
      : null;
    const total = (db.prepare('SELECT count(*) AS n FROM ZWAMESSAGE').get() as { n: number }).n;
    let done = 0;
    yield* eachRow<MessageRow>(
      db,
      `SELECT Z_PK AS _id, ZCHATSESSION AS session, ${column(schema, 'ZWAMESSAGE', 'ZFROMJID', 'fromJid')},
         ${column(schema, 'ZWAMESSAGE', 'ZGROUPMEMBER', 'member')}, ${column(schema, 'ZWAMESSAGE', 'ZTEXT', 'text')},
         ZMESSAGEDATE AS date, ${column(schema, 'ZWAMESSAGE', 'ZMESSAGETYPE', 'type')}, ZISFROMME AS fromMe
       FROM ZWAMESSAGE ORDER BY Z_PK`,
      { file, table: 'ZWAMESSAGE', what: 'messages' },
      function* (m) {
        const source = { file, table: 'ZWAMESSAGE', rowId: m._id };
        const flags: string[] = [];
        let thread = book.known(String(numberOf(m.session)));
        if (!thread) {
          thread = yield* book.thread(`ZCHATSESSION=${String(m.session)}`, null, null, [], source);
        }
        const fromMe = numberOf(m.fromMe) === 1;
        const member = members.get(numberOf(m.member) ?? -1);
        const sender = fromMe
          ? null
          : thread.multiParty
            ? yield* book.person(member?.jid ?? m.fromJid, source, textOf(member?.name, []))
            : (thread.personKey ?? (yield* book.person(m.fromJid, source)));
        if (!fromMe && sender === null) flags.push('sender-unknown');
        const type = numberOf(m.type);
        if (type !== null && type !== 0) flags.push(`message-type-${type}`);
        const attachments: AttachmentRecord[] = [];
        const item = media?.get(m._id) as
          { path: unknown; size: unknown; title: unknown } | undefined;
        if (item && (item.path !== null || item.title !== null)) {
          const path = textOf(item.path, flags);
          attachments.push({
            name: path ? path.slice(path.lastIndexOf('/') + 1) : textOf(item.title, flags),
            mime: null,
            size: numberOf(item.size),
            path,
          });
        }
        const seconds = numberOf(m.date);
        const sentAt = seconds === null ? null : fromUnixMs(APPLE_EPOCH_MS + seconds * 1000);
        if (seconds !== null && sentAt === null) flags.push('time-out-of-range');
        yield {
          type: 'message',
          key: `ZWAMESSAGE:${m._id}`,
          threadKey: thread.key,
          senderKey: sender,
          direction: fromMe ? 'outgoing' : 'incoming',
          sentAt,
          body: textOf(m.text, flags),
          deleted: false,
          attachments,
          flags,
          source,
        } satisfies IngestRecord;
        ctx.progress((done += 1), total);
      },
    );
  },
};
