import type { Database } from 'better-sqlite3';

import { normaliseAddress } from '../addresses.js';
import { hasTables, type ParseContext, type SqliteFormat } from '../formats.js';
import type { AttachmentRecord, Direction, IngestRecord, SourceRef } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';

/** Android's sms.type: 1 inbox; 2 sent, 4 outbox, 5 failed, 6 queued; 3 draft. */
export function smsDirection(type: number | null): Direction {
  if (type === 1) return 'incoming';
  if (type === 2 || type === 3 || type === 4 || type === 5 || type === 6) return 'outgoing';
  return 'unknown';
}

/** MMS addr.type 137 is the sender (PduHeaders.FROM); 151 TO, 130 CC, 129 BCC. */
const MMS_FROM = 137;

interface SmsRow {
  _id: number;
  thread_id: number | null;
  address: string | null;
  date: number | null;
  type: number | null;
  body: string | null;
}

/**
 * Android's telephony provider (mmssms.db): SMS, MMS with their parts, and
 * the threads that group them. Threads name their people through
 * canonical_addresses.
 */
export const androidSms: SqliteFormat = {
  kind: 'sqlite',
  id: 'android.mmssms',
  label: 'Android SMS/MMS (mmssms.db)',

  matches(schema) {
    return hasTables(schema, 'sms.address', 'sms.body', 'sms.thread_id', 'threads.recipient_ids');
  },

  *parse(db, schema, ctx) {
    const file = ctx.file.name;
    const seen = new Set<string>();
    const participant = function* (raw: string | null, source: SourceRef) {
      if (!raw?.trim()) return null;
      const address = normaliseAddress(raw, ctx.region);
      const key = `p:${address.identifier}`;
      if (!seen.has(key)) {
        seen.add(key);
        yield { type: 'participant' as const, key, raw, name: null, source, ...address };
      }
      return key;
    };

    const canonical = new Map<number, string>();
    if (hasTables(schema, 'canonical_addresses.address')) {
      for (const r of db
        .prepare('SELECT _id, address FROM canonical_addresses')
        .iterate() as Iterable<{
        _id: number;
        address: string | null;
      }>) {
        if (r.address) canonical.set(r._id, r.address);
      }
    }

    const total = countOf(db, 'sms') + (hasTables(schema, 'pdu._id') ? countOf(db, 'pdu') : 0);
    let done = 0;

    const threadKeys = new Set<string>();
    for (const t of db
      .prepare('SELECT _id, recipient_ids FROM threads ORDER BY _id')
      .iterate() as Iterable<{
      _id: number;
      recipient_ids: string | null;
    }>) {
      const source = { file, table: 'threads', rowId: t._id };
      const keys: string[] = [];
      for (const id of (t.recipient_ids ?? '').split(/\s+/).filter(Boolean)) {
        const key = yield* participant(canonical.get(Number(id)) ?? null, {
          file,
          table: 'canonical_addresses',
          rowId: Number(id),
        });
        if (key) keys.push(key);
      }
      const key = `thread:${t._id}`;
      threadKeys.add(key);
      yield {
        type: 'thread',
        key,
        service: 'sms',
        title: null,
        isGroup: keys.length > 1,
        participantKeys: keys,
        source,
      } satisfies IngestRecord;
    }

    // A message whose thread row is gone (deleted, or a partial extraction) still gets a thread.
    const orphanThread = function* (threadId: number | null, table: string) {
      const key = `thread:${threadId ?? 'none'}`;
      if (threadKeys.has(key)) return key;
      threadKeys.add(key);
      yield {
        type: 'thread' as const,
        key,
        service: 'sms' as const,
        title: null,
        isGroup: false,
        participantKeys: [],
        source: { file, table, rowId: `thread_id=${threadId ?? 'null'}` },
      };
      return key;
    };

    for (const r of db
      .prepare('SELECT _id, thread_id, address, date, type, body FROM sms ORDER BY _id')
      .iterate() as Iterable<SmsRow>) {
      const source = { file, table: 'sms', rowId: r._id };
      const threadKey = yield* orphanThread(r.thread_id, 'sms');
      const direction = smsDirection(r.type);
      const other = yield* participant(r.address, source);
      const sentAt = r.date === null ? null : fromUnixMs(r.date);
      yield {
        type: 'message',
        key: `sms:${r._id}`,
        threadKey,
        senderKey: direction === 'incoming' ? other : null,
        direction,
        sentAt,
        body: r.body,
        deleted: false,
        attachments: [],
        flags: [
          ...(r.type === 3 ? ['draft'] : []),
          ...(r.date !== null && sentAt === null ? ['time-out-of-range'] : []),
        ],
        source,
      } satisfies IngestRecord;
      ctx.progress((done += 1), total);
    }

    if (hasTables(schema, 'pdu._id', 'pdu.msg_box', 'part.mid', 'addr.msg_id')) {
      yield* mmsMessages(db, ctx, participant, orphanThread, () =>
        ctx.progress((done += 1), total),
      );
    }
  },
};

function countOf(db: Database, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
}

function* mmsMessages(
  db: Database,
  ctx: ParseContext,
  participant: (raw: string | null, source: SourceRef) => Generator<IngestRecord, string | null>,
  thread: (threadId: number | null, table: string) => Generator<IngestRecord, string>,
  step: () => void,
): Generator<IngestRecord> {
  const file = ctx.file.name;
  const parts = db.prepare(
    'SELECT _id, ct, name, cl, _data, text FROM part WHERE mid = ? ORDER BY seq, _id',
  );
  const from = db.prepare('SELECT address FROM addr WHERE msg_id = ? AND type = ? LIMIT 1');
  for (const m of db
    .prepare('SELECT _id, thread_id, date, msg_box, sub FROM pdu ORDER BY _id')
    .iterate() as Iterable<{
    _id: number;
    thread_id: number | null;
    date: number | null;
    msg_box: number | null;
    sub: string | null;
  }>) {
    const source = { file, table: 'pdu', rowId: m._id };
    const threadKey = yield* thread(m.thread_id, 'pdu');
    const direction: Direction =
      m.msg_box === 1 ? 'incoming' : m.msg_box === 2 ? 'outgoing' : 'unknown';
    const sender =
      (from.get(m._id, MMS_FROM) as { address: string | null } | undefined)?.address ?? null;
    const senderKey =
      direction === 'incoming'
        ? yield* participant(sender, { file, table: 'addr', rowId: `msg_id=${m._id}` })
        : null;

    const texts: string[] = m.sub ? [m.sub] : [];
    const attachments: AttachmentRecord[] = [];
    for (const p of parts.all(m._id) as {
      ct: string | null;
      name: string | null;
      cl: string | null;
      _data: string | null;
      text: string | null;
    }[]) {
      if (p.ct === 'application/smil') continue;
      if (p.ct === 'text/plain') {
        if (p.text) texts.push(p.text);
        continue;
      }
      attachments.push({ name: p.name ?? p.cl, mime: p.ct, size: null, path: p._data });
    }
    // pdu.date is in seconds, unlike sms.date.
    const sentAt = m.date === null ? null : fromUnixMs(m.date * 1000);
    yield {
      type: 'message',
      key: `mms:${m._id}`,
      threadKey,
      senderKey,
      direction,
      sentAt,
      body: texts.length ? texts.join('\n') : null,
      deleted: false,
      attachments,
      flags: m.date !== null && sentAt === null ? ['time-out-of-range'] : [],
      source,
    } satisfies IngestRecord;
    step();
  }
}
