import type { Database } from 'better-sqlite3';

import { hasTables, type ParseContext, type SqliteSchema } from '../formats.js';
import type { AttachmentRecord, IngestRecord, QuoteRecord } from '../records.js';
import {
  columns,
  eachRow,
  lastRowId,
  numberOf,
  textOf,
  timeOf,
  WA,
  type WhatsAppBook,
  type ThreadInfo,
} from './whatsappRows.js';

/** WhatsApp's placeholder first row (chat -1, no content), which is no message. */
export const MODERN_CONTENT = 'chat_row_id IS NOT -1 OR text_data IS NOT NULL';

interface MessageRow {
  _id: number;
  chat_row_id: unknown;
  from_me: unknown;
  sender_jid_row_id: unknown;
  timestamp: unknown;
  message_type: number | null;
  text_data: unknown;
}

/** A jid row as a string, from raw_string or, where that is empty, user@server. */
function jidText(row: { user: unknown; server: unknown; raw_string: unknown } | undefined) {
  if (!row) return null;
  if (typeof row.raw_string === 'string' && row.raw_string) return row.raw_string;
  if (typeof row.user === 'string' && typeof row.server === 'string') {
    return `${row.user}@${row.server}`;
  }
  return null;
}

/**
 * The schema WhatsApp moved to from 2021: message, chat and jid tables joined
 * by row id, with media, system actions, locations and contact cards in
 * tables of their own keyed by message_row_id.
 */
export function* modernMessages(
  db: Database,
  schema: SqliteSchema,
  ctx: ParseContext,
  book: WhatsAppBook,
): Generator<IngestRecord> {
  const file = ctx.file.name;

  const jids = new Map<number, string>();
  yield* eachRow<{ _id: number; user: unknown; server: unknown; raw_string: unknown }>(
    db,
    `SELECT _id, ${columns(schema, 'jid', ['user', 'server', 'raw_string'])} FROM jid ORDER BY _id`,
    { file, table: 'jid' },
    (r) => {
      const text = jidText(r);
      if (text) jids.set(r._id, text);
    },
  );

  // Who is in each chat: the group's member list where it is kept, and everyone who wrote.
  const members = new Map<number, number[]>();
  const addMember = (r: { chat: unknown; jid: unknown }) => {
    const chat = numberOf(r.chat);
    const jid = numberOf(r.jid);
    if (chat === null || jid === null) return;
    const list = members.get(chat) ?? [];
    if (!list.includes(jid)) list.push(jid);
    members.set(chat, list);
  };
  if (
    hasTables(
      schema,
      'group_participant_user.group_jid_row_id',
      'group_participant_user.user_jid_row_id',
    )
  ) {
    yield* eachRow(
      db,
      `SELECT c._id AS chat, g.user_jid_row_id AS jid FROM group_participant_user g
       JOIN chat c ON c.jid_row_id = g.group_jid_row_id ORDER BY g._id`,
      { file, table: 'group_participant_user', what: 'group members' },
      addMember,
    );
  }
  if (hasTables(schema, 'message.sender_jid_row_id')) {
    yield* eachRow(
      db,
      `SELECT DISTINCT chat_row_id AS chat, sender_jid_row_id AS jid FROM message
       WHERE sender_jid_row_id > 0 ORDER BY 1, 2`,
      { file, table: 'message', what: 'group senders' },
      addMember,
    );
  }

  yield* eachRow<{ _id: number; jid_row_id: unknown; subject: unknown }>(
    db,
    `SELECT _id, ${columns(schema, 'chat', ['jid_row_id', 'subject'])} FROM chat ORDER BY _id`,
    { file, table: 'chat' },
    function* (c) {
      const people = (members.get(c._id) ?? []).map((id) => jids.get(id) ?? null);
      yield* book.thread(
        String(c._id),
        jids.get(numberOf(c.jid_row_id) ?? -1) ?? null,
        textOf(c.subject, []),
        people,
        { file, table: 'chat', rowId: c._id },
      );
    },
  );

  const table = (name: string) => schema.has(name);
  const media = table('message_media')
    ? db.prepare(
        `SELECT ${columns(schema, 'message_media', ['file_path', 'file_size', 'file_length', 'mime_type', 'media_name'])}
         FROM message_media WHERE message_row_id = ? LIMIT 1`,
      )
    : null;
  const action = hasTables(schema, 'message_system.action_type')
    ? db.prepare('SELECT action_type FROM message_system WHERE message_row_id = ? LIMIT 1')
    : null;
  const place = hasTables(schema, 'message_location.latitude', 'message_location.longitude')
    ? db.prepare(
        'SELECT latitude, longitude FROM message_location WHERE message_row_id = ? LIMIT 1',
      )
    : null;
  const vcard = hasTables(schema, 'message_vcard.vcard')
    ? db.prepare('SELECT vcard FROM message_vcard WHERE message_row_id = ? ORDER BY _id LIMIT 1')
    : null;
  const revoked = new Set<number>();
  if (hasTables(schema, 'message_revoked.message_row_id')) {
    yield* eachRow<{ id: unknown }>(
      db,
      'SELECT message_row_id AS id FROM message_revoked ORDER BY 1',
      { file, table: 'message_revoked', what: 'deletions' },
      (r) => {
        const id = numberOf(r.id);
        if (id !== null) revoked.add(id);
      },
    );
  }

  // What each reply quotes: the text WhatsApp copied, and the message by its key_id where it is here.
  const quotes = new Map<number, QuoteRecord>();
  if (hasTables(schema, 'message_quoted.message_row_id', 'message_quoted.text_data')) {
    const byKey = hasTables(schema, 'message_quoted.key_id', 'message.key_id');
    const chat = hasTables(schema, 'message_quoted.parent_message_chat_row_id')
      ? 'coalesce(q.parent_message_chat_row_id, q.chat_row_id)'
      : 'q.chat_row_id';
    yield* eachRow<{ id: unknown; text: unknown; quoted: unknown }>(
      db,
      `SELECT q.message_row_id AS id, q.text_data AS text, ${
        byKey
          ? `(SELECT m._id FROM message m WHERE m.chat_row_id = ${chat} AND m.key_id = q.key_id
               ${hasTables(schema, 'message_quoted.from_me') ? 'AND m.from_me = q.from_me' : ''}
               ORDER BY m._id LIMIT 1)`
          : 'NULL'
      } AS quoted
       FROM message_quoted q ORDER BY 1`,
      { file, table: 'message_quoted', what: 'quoted replies' },
      (r) => {
        const id = numberOf(r.id);
        const quoted = numberOf(r.quoted);
        if (id === null) return;
        quotes.set(id, {
          key: quoted === null ? null : `message:${quoted}`,
          text: textOf(r.text, []),
        });
      },
    );
  }

  const total = lastRowId(db, 'message');
  const wanted = [
    'chat_row_id',
    'from_me',
    'sender_jid_row_id',
    'timestamp',
    'message_type',
    'text_data',
  ];
  yield* eachRow<MessageRow>(
    db,
    `SELECT _id, ${columns(schema, 'message', wanted)} FROM message WHERE ${MODERN_CONTENT} ORDER BY _id`,
    { file, table: 'message' },
    function* (m) {
      const source = { file, table: 'message', rowId: m._id };
      let thread: ThreadInfo | undefined = book.known(String(numberOf(m.chat_row_id)));
      if (!thread) {
        // A message whose chat row is gone still gets a thread, named by the row id it gave.
        thread = yield* book.thread(`chat_row_id=${String(m.chat_row_id)}`, null, null, [], source);
      }
      const flags: string[] = [];
      const type = numberOf(m.message_type);
      const system = type === WA.system;
      const fromMe = numberOf(m.from_me) === 1;
      // In a group the row names its sender; in a one-to-one chat it is the other person.
      const groupSender = thread.multiParty
        ? yield* book.person(jids.get(numberOf(m.sender_jid_row_id) ?? -1) ?? null, source)
        : null;

      let body = textOf(m.text_data, flags);
      const attachments: AttachmentRecord[] = [];
      if (system) {
        const code = (action?.get(m._id) as { action_type: unknown } | undefined)?.action_type;
        flags.push(
          'system',
          ...(code === undefined || code === null ? [] : [`system-action-${String(code)}`]),
        );
      }
      if (type === WA.contact && vcard) {
        body ??= textOf((vcard.get(m._id) as { vcard: unknown } | undefined)?.vcard, flags);
        flags.push('contact-card');
      }
      if ((type === WA.location || type === WA.live) && place) {
        const p = place.get(m._id) as { latitude: unknown; longitude: unknown } | undefined;
        if (p) flags.push(`location:${String(p.latitude)},${String(p.longitude)}`);
      }
      if (media && type !== WA.text && !system) {
        const a = media.get(m._id) as Record<string, unknown> | undefined;
        if (a) {
          attachments.push({
            name: textOf(a.media_name, flags) || null,
            mime: textOf(a.mime_type, flags) || null,
            size: numberOf(a.file_size) ?? numberOf(a.file_length),
            path: textOf(a.file_path, flags),
          });
        }
      }
      const senderKey = system ? groupSender : fromMe ? null : (groupSender ?? thread.personKey);
      if (!system && !fromMe && senderKey === null) flags.push('sender-unknown');
      const deleted = type === WA.revoked || revoked.has(m._id);
      if (deleted) flags.push('revoked');

      yield {
        type: 'message',
        key: `message:${m._id}`,
        threadKey: thread.key,
        senderKey,
        direction: system ? 'unknown' : fromMe ? 'outgoing' : 'incoming',
        sentAt: timeOf(m.timestamp, flags),
        body,
        deleted,
        attachments,
        flags,
        ...(quotes.has(m._id) ? { quote: quotes.get(m._id)! } : {}),
        source,
      } satisfies IngestRecord;
      ctx.progress(m._id, total);
    },
  );
}
