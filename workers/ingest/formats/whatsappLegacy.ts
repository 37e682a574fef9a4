import type { Database } from 'better-sqlite3';

import { hasTables, type ParseContext, type SqliteSchema } from '../formats.js';
import type { AttachmentRecord, IngestRecord } from '../records.js';
import {
  columns,
  eachRow,
  lastRowId,
  numberOf,
  textOf,
  timeOf,
  WA,
  type WhatsAppBook,
} from './whatsappRows.js';

/** WhatsApp's placeholder first row (jid -1, no content), which is no message. */
export const LEGACY_CONTENT = `key_remote_jid IS NOT '-1' OR data IS NOT NULL`;

/** Legacy status 6 marks a system message; its action code is kept in media_size. */
const SYSTEM_STATUS = 6;

interface LegacyRow {
  _id: number;
  key_remote_jid: unknown;
  key_from_me: unknown;
  status: unknown;
  data: unknown;
  timestamp: unknown;
  media_wa_type: unknown;
  media_mime_type: unknown;
  media_size: unknown;
  media_name: unknown;
  media_caption: unknown;
  remote_resource: unknown;
  latitude: unknown;
  longitude: unknown;
}

/**
 * The schema WhatsApp used until 2021: one messages table keyed by the chat's
 * jid, with the media described in the same row and, in a group, the sender
 * in remote_resource.
 */
export function* legacyMessages(
  db: Database,
  schema: SqliteSchema,
  ctx: ParseContext,
  book: WhatsAppBook,
): Generator<IngestRecord> {
  const file = ctx.file.name;

  // Who is in each group: the member list where it is kept, and everyone who wrote.
  const members = new Map<string, unknown[]>();
  const addMember = (chat: unknown, jid: unknown) => {
    if (typeof chat !== 'string') return;
    const list = members.get(chat) ?? [];
    if (!list.includes(jid)) list.push(jid);
    members.set(chat, list);
  };
  if (hasTables(schema, 'group_participants.gjid', 'group_participants.jid')) {
    yield* eachRow<{ gjid: unknown; jid: unknown }>(
      db,
      'SELECT gjid, jid FROM group_participants ORDER BY _id',
      { file, table: 'group_participants', what: 'group members' },
      (r) => {
        addMember(r.gjid, r.jid);
      },
    );
  }
  if (hasTables(schema, 'messages.remote_resource')) {
    yield* eachRow<{ chat: unknown; jid: unknown }>(
      db,
      `SELECT DISTINCT key_remote_jid AS chat, remote_resource AS jid FROM messages
       WHERE (key_remote_jid LIKE '%@g.us' OR key_remote_jid LIKE '%@broadcast')
         AND remote_resource > '' ORDER BY 1, 2`,
      { file, table: 'messages', what: 'group senders' },
      (r) => {
        addMember(r.chat, r.jid);
      },
    );
  }

  if (hasTables(schema, 'chat_list.key_remote_jid')) {
    yield* eachRow<{ _id: number; key_remote_jid: unknown; subject: unknown }>(
      db,
      `SELECT _id, ${columns(schema, 'chat_list', ['key_remote_jid', 'subject'])}
       FROM chat_list ORDER BY _id`,
      { file, table: 'chat_list' },
      function* (c) {
        const jid = textOf(c.key_remote_jid, []);
        if (jid === null) return;
        yield* book.thread(jid, jid, textOf(c.subject, []), members.get(jid) ?? [], {
          file,
          table: 'chat_list',
          rowId: c._id,
        });
      },
    );
  }

  // In the databases of the migration years, message_media also describes legacy rows, by the same id.
  const stored = hasTables(schema, 'message_media.message_row_id', 'message_media.file_path')
    ? db.prepare(
        `SELECT ${columns(schema, 'message_media', ['file_path', 'file_size'])}
         FROM message_media WHERE message_row_id = ? LIMIT 1`,
      )
    : null;

  const total = lastRowId(db, 'messages');
  const wanted = [
    'key_remote_jid',
    'key_from_me',
    'status',
    'data',
    'timestamp',
    'media_wa_type',
    'media_mime_type',
    'media_size',
    'media_name',
    'media_caption',
    'remote_resource',
    'latitude',
    'longitude',
  ];
  yield* eachRow<LegacyRow>(
    db,
    `SELECT _id, ${columns(schema, 'messages', wanted)} FROM messages
     WHERE ${LEGACY_CONTENT} ORDER BY _id`,
    { file, table: 'messages' },
    function* (m) {
      const source = { file, table: 'messages', rowId: m._id };
      const flags: string[] = [];
      const chat = textOf(m.key_remote_jid, flags);
      const id = chat ?? 'key_remote_jid=null';
      const thread =
        book.known(id) ?? (yield* book.thread(id, chat, null, members.get(id) ?? [], source));
      const type = numberOf(m.media_wa_type) ?? WA.text;
      const system = numberOf(m.status) === SYSTEM_STATUS;
      const fromMe = numberOf(m.key_from_me) === 1;
      const groupSender = thread.multiParty ? yield* book.person(m.remote_resource, source) : null;

      const body = textOf(m.data, flags) ?? textOf(m.media_caption, flags);
      const attachments: AttachmentRecord[] = [];
      if (system) {
        const code = numberOf(m.media_size);
        flags.push('system', ...(code === null ? [] : [`system-action-${code}`]));
      } else if (type === WA.contact) {
        flags.push('contact-card');
      } else if (type === WA.location || type === WA.live) {
        flags.push(`location:${String(m.latitude)},${String(m.longitude)}`);
      } else if (type !== WA.text && type !== WA.revoked) {
        const size = numberOf(m.media_size);
        const copy = stored?.get(m._id) as { file_path: unknown; file_size: unknown } | undefined;
        // The path is taken only when that row agrees on the size, so no file is pinned on the wrong message.
        const sameFile = copy && (numberOf(copy.file_size) ?? size) === size;
        attachments.push({
          name: textOf(m.media_name, flags) || null,
          mime: textOf(m.media_mime_type, flags) || null,
          size: size !== null && size >= 0 ? size : null,
          path: sameFile ? textOf(copy.file_path, flags) : null,
        });
      }
      const senderKey = system ? groupSender : fromMe ? null : (groupSender ?? thread.personKey);
      if (!system && !fromMe && senderKey === null) flags.push('sender-unknown');
      const deleted = type === WA.revoked;
      if (deleted) flags.push('revoked');

      yield {
        type: 'message',
        key: `messages:${m._id}`,
        threadKey: thread.key,
        senderKey,
        direction: system ? 'unknown' : fromMe ? 'outgoing' : 'incoming',
        sentAt: timeOf(m.timestamp, flags),
        body,
        deleted,
        attachments,
        flags,
        source,
      } satisfies IngestRecord;
      ctx.progress(m._id, total);
    },
  );
}
