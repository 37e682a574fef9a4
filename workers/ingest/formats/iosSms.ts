import type { Database } from 'better-sqlite3';

import { normaliseAddress } from '../addresses.js';
import { hasTables, type SqliteFormat } from '../formats.js';
import type { AttachmentRecord, IngestRecord, Service, SourceRef } from '../records.js';
import { fromAppleTime } from '../sourceTime.js';
import { attachmentReader, column } from './iosAttachments.js';
import { summaryInfo } from './iosEdits.js';
import { attributedBodyText, TypedStreamError } from './typedstream.js';

/** chat.style: 43 is a group, 45 a one-to-one conversation. */
const GROUP_STYLE = 43;
/**
 * The first iPhone went on sale on 2007-06-29: an earlier time in sms.db is a
 * reset clock or a damaged row, kept as read but flagged.
 */
const FIRST_IPHONE = '2007-06-29T00:00:00.000Z';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

function service(name: unknown): Service {
  const lower = typeof name === 'string' ? name.toLowerCase() : undefined;
  if (lower === 'imessage') return 'imessage';
  if (lower === 'sms' || lower === 'rcs') return 'sms';
  if (lower === 'mms') return 'mms';
  return 'other';
}

interface MessageRow {
  ROWID: number;
  handle_id: number | null;
  textBytes: Buffer | null;
  attributedBody: unknown;
  message_summary_info: unknown;
  service: unknown;
  date: number | null;
  is_from_me: number | null;
  cache_has_attachments: number | null;
  chat_id: number | null;
  recoverable: number | null;
}

/**
 * iOS Messages (sms.db): SMS, MMS and iMessage alike, in chats that join
 * handles (the people) to messages. Tables past `message` and `handle` are
 * read when present; extractions and older iOS versions often lack some.
 */
export const iosSms: SqliteFormat = {
  kind: 'sqlite',
  id: 'ios.sms',
  label: 'iOS Messages (sms.db)',

  matches(schema) {
    return hasTables(
      schema,
      'message.ROWID',
      'message.guid',
      'message.handle_id',
      'message.date',
      'handle.id',
    );
  },

  *parse(db, schema, ctx) {
    const file = ctx.file.name;

    // People: one participant per address, though iOS keeps a handle per address and service.
    const handleKeys = new Map<number, string>();
    const handleServices = new Map<number, unknown>();
    const seen = new Set<string>();
    for (const h of db
      .prepare(
        `SELECT ROWID, id, ${column(schema, 'handle', 'service')} FROM handle ORDER BY ROWID`,
      )
      .iterate() as Iterable<{ ROWID: number; id: unknown; service: unknown }>) {
      const source = { file, table: 'handle', rowId: h.ROWID };
      if (typeof h.id !== 'string' || !h.id.trim()) {
        yield problem(`handle:${h.ROWID}`, 'a handle with no address', source);
        continue;
      }
      const address = normaliseAddress(h.id, ctx.region);
      const key = `p:${address.identifier}`;
      handleKeys.set(h.ROWID, key);
      handleServices.set(h.ROWID, h.service);
      if (seen.has(key)) continue;
      seen.add(key);
      yield { type: 'participant', key, raw: h.id, name: null, source, ...address };
    }

    // Chats, with the people each joins.
    const threadServices = new Map<string, Service>();
    if (hasTables(schema, 'chat.ROWID')) {
      const members = hasTables(schema, 'chat_handle_join.chat_id', 'chat_handle_join.handle_id')
        ? db.prepare('SELECT handle_id FROM chat_handle_join WHERE chat_id = ? ORDER BY handle_id')
        : null;
      for (const c of db
        .prepare(
          `SELECT ROWID, ${column(schema, 'chat', 'display_name')}, ${column(schema, 'chat', 'service_name')},
             ${column(schema, 'chat', 'style')} FROM chat ORDER BY ROWID`,
        )
        .iterate() as Iterable<{
        ROWID: number;
        display_name: string | null;
        service_name: string | null;
        style: number | null;
      }>) {
        const participantKeys = [
          ...new Set(
            ((members?.all(c.ROWID) ?? []) as { handle_id: number }[])
              .map((m) => handleKeys.get(m.handle_id))
              .filter((k): k is string => k !== undefined),
          ),
        ];
        const key = `chat:${c.ROWID}`;
        threadServices.set(key, service(c.service_name));
        yield {
          type: 'thread',
          key,
          service: service(c.service_name),
          title: typeof c.display_name === 'string' && c.display_name ? c.display_name : null,
          isGroup: c.style === GROUP_STYLE || participantKeys.length > 1,
          participantKeys,
          source: { file, table: 'chat', rowId: c.ROWID },
        } satisfies IngestRecord;
      }
    }

    // A message in no chat (the join row is gone, or the table is) is threaded by its handle.
    const looseThread = function* (row: MessageRow) {
      const key = `handle-thread:${row.handle_id ?? 'none'}`;
      if (threadServices.has(key)) return key;
      const handleKey = row.handle_id === null ? undefined : handleKeys.get(row.handle_id);
      const kind = service(row.service ?? handleServices.get(row.handle_id ?? -1) ?? null);
      threadServices.set(key, kind);
      yield {
        type: 'thread' as const,
        key,
        service: kind,
        title: null,
        isGroup: false,
        participantKeys: handleKey ? [handleKey] : [],
        source: { file, table: 'message', rowId: `handle_id=${row.handle_id ?? 'null'}` },
      };
      return key;
    };

    const attachments = attachmentReader(db, schema);
    // Joined, not looked up per message: extractions' join tables may have lost their indexes.
    const chatJoin = hasTables(
      schema,
      'chat_message_join.chat_id',
      'chat_message_join.message_id',
      'chat.ROWID',
    )
      ? `LEFT JOIN (SELECT message_id, min(chat_id) AS chat_id FROM chat_message_join
           GROUP BY message_id) j ON j.message_id = message.ROWID`
      : '';
    // iOS 16's "Recently Deleted": messages the user deleted, kept for 30 days.
    const recoverable = hasTables(schema, 'chat_recoverable_message_join.message_id')
      ? `LEFT JOIN (SELECT DISTINCT message_id FROM chat_recoverable_message_join) r
           ON r.message_id = message.ROWID`
      : '';
    const total = messageCount(db);
    let done = 0;
    const rows = db
      .prepare(
        `SELECT message.ROWID, message.handle_id, CAST(message.text AS BLOB) AS textBytes,
           message.date, ${column(schema, 'message', 'attributedBody')},
           ${column(schema, 'message', 'message_summary_info')},
           ${column(schema, 'message', 'service')}, ${column(schema, 'message', 'is_from_me')},
           ${column(schema, 'message', 'cache_has_attachments')},
           ${chatJoin ? 'j.chat_id' : 'NULL'} AS chat_id,
           ${recoverable ? 'r.message_id IS NOT NULL' : '0'} AS recoverable
         FROM message ${chatJoin} ${recoverable} ORDER BY message.ROWID`,
      )
      .iterate() as Iterable<MessageRow>;
    try {
      for (const r of rows) {
        yield* message(r);
        ctx.progress((done += 1), total);
      }
    } catch (err) {
      // A damaged page ends the table; what was read before it stays, and the stop is reported.
      if (!(err as { code?: string }).code?.startsWith('SQLITE_')) throw err;
      yield problem('message-table', `messages after row ${done} unreadable: ${reason(err)}`, {
        file,
        table: 'message',
      });
    } finally {
      attachments?.close();
    }

    function* message(r: MessageRow): Generator<IngestRecord> {
      const source: SourceRef = { file, table: 'message', rowId: r.ROWID };
      const chatKey = r.chat_id === null ? null : `chat:${r.chat_id}`;
      const threadKey =
        chatKey !== null && threadServices.has(chatKey) ? chatKey : yield* looseThread(r);
      const outgoing = r.is_from_me === 1;
      const { body, flags } = messageText(r);
      const past = summaryInfo(r.message_summary_info);
      flags.push(...past.flags);
      const sentAt = typeof r.date === 'number' ? fromAppleTime(r.date) : null;
      if (r.date !== null && r.date !== 0 && sentAt === null) flags.push('time-out-of-range');
      if (sentAt !== null && sentAt.utc < FIRST_IPHONE) flags.push('time-before-iphone');
      const sentAs = service(r.service);
      if (r.service !== null && sentAs !== threadServices.get(threadKey)) {
        flags.push(`sent-as-${sentAs}`);
      }

      let files: AttachmentRecord[] = [];
      if (attachments && r.cache_has_attachments !== 0) {
        try {
          files = attachments.read(r.ROWID);
        } catch (err) {
          yield problem(`attachments:${r.ROWID}`, `attachments unreadable: ${reason(err)}`, source);
          flags.push('attachments-unreadable');
        }
      }

      yield {
        type: 'message',
        key: `message:${r.ROWID}`,
        threadKey,
        senderKey: outgoing || r.handle_id === null ? null : (handleKeys.get(r.handle_id) ?? null),
        direction: outgoing ? 'outgoing' : r.is_from_me === 0 ? 'incoming' : 'unknown',
        sentAt,
        body,
        deleted: r.recoverable === 1,
        attachments: files,
        flags,
        ...(past.history.length ? { history: past.history } : {}),
        source,
      } satisfies IngestRecord;
    }
  },
};

/**
 * The message's text: the `text` column, else the text archived in `attributedBody`.
 * Not yet: tapbacks (associated_message_type) come in as ordinary messages, not linked to
 * the message they answer.
 */
function messageText(r: MessageRow): { body: string | null; flags: string[] } {
  const flags: string[] = [];
  if (r.textBytes !== null && r.textBytes.length > 0) {
    try {
      return { body: STRICT_UTF8.decode(r.textBytes), flags };
    } catch {
      return { body: LENIENT_UTF8.decode(r.textBytes), flags: ['invalid-utf8'] };
    }
  }
  if (r.attributedBody !== null && !Buffer.isBuffer(r.attributedBody)) {
    return { body: null, flags: ['attributed-body-unreadable'] };
  }
  if (r.attributedBody !== null && r.attributedBody.length > 0) {
    try {
      return { body: attributedBodyText(r.attributedBody), flags: ['text-from-attributed-body'] };
    } catch (err) {
      if (!(err instanceof TypedStreamError)) throw err;
      return { body: null, flags: ['attributed-body-unreadable'] };
    }
  }
  return { body: null, flags: ['no-text'] };
}

/** For progress only: a damaged page fails count(*), while max(ROWID) reads one path. */
function messageCount(db: Database): number {
  for (const sql of ['SELECT count(*) AS n FROM message', 'SELECT max(ROWID) AS n FROM message']) {
    try {
      return (db.prepare(sql).get() as { n: number | null }).n ?? 0;
    } catch (err) {
      if (!(err as { code?: string }).code?.startsWith('SQLITE_')) throw err;
    }
  }
  return 0;
}

function problem(key: string, message: string, source: SourceRef): IngestRecord {
  return { type: 'problem', key, message, source };
}

function reason(err: unknown): string {
  return (err as { code?: string }).code ?? (err instanceof Error ? err.name : 'error');
}
