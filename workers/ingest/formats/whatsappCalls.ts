import type { Database } from 'better-sqlite3';

import { hasTables, type ParseContext, type SqliteSchema } from '../formats.js';
import type { CallRecord, IngestRecord } from '../records.js';
import { eachRow, numberOf, timeOf, type WhatsAppBook } from './whatsappRows.js';

interface CallRow {
  _id: number;
  jid: unknown;
  from_me: unknown;
  timestamp: unknown;
  video_call: unknown;
  duration: unknown;
  call_result: unknown;
  group_jid_row_id: unknown;
}

export const CALL_LOG = [
  'call_log.jid_row_id',
  'call_log.from_me',
  'call_log.timestamp',
  'jid._id',
];

/**
 * WhatsApp's own call log (call_log, beside the messages since the 2020
 * schemas): who, when (Unix ms), how long, which way, voice or video.
 * WhatsApp's call_result codes are not documented, so the direction of an
 * incoming call is read from its length (none: missed) and the code is kept
 * as a flag for the examiner to weigh.
 */
export function* whatsappCalls(
  db: Database,
  schema: SqliteSchema,
  ctx: ParseContext,
  book: WhatsAppBook,
): Generator<IngestRecord> {
  if (!hasTables(schema, ...CALL_LOG)) return;
  const file = ctx.file.name;
  const have = schema.get('call_log')!;
  const wanted = [
    'from_me',
    'timestamp',
    'video_call',
    'duration',
    'call_result',
    'group_jid_row_id',
  ];
  const fields = wanted.map((c) => (have.has(c) ? `c."${c}"` : `NULL AS "${c}"`)).join(', ');
  const jidText = hasTables(schema, 'jid.raw_string', 'jid.user', 'jid.server')
    ? `coalesce(nullif(j.raw_string, ''), j.user || '@' || j.server)`
    : 'NULL';
  yield* eachRow<CallRow>(
    db,
    `SELECT c._id, ${jidText} AS jid, ${fields}
     FROM call_log c LEFT JOIN jid j ON j._id = c.jid_row_id ORDER BY c._id`,
    { file, table: 'call_log' },
    function* (c) {
      const source = { file, table: 'call_log', rowId: c._id };
      const flags: string[] = [];
      const participantKey = yield* book.person(c.jid, source);
      if (participantKey === null) flags.push('number-unknown');
      const duration = numberOf(c.duration);
      const fromMe = numberOf(c.from_me) === 1;
      const direction: CallRecord['direction'] = fromMe
        ? 'outgoing'
        : duration !== null && duration > 0
          ? 'incoming'
          : 'missed';
      if (numberOf(c.video_call) === 1) flags.push('video');
      if ((numberOf(c.group_jid_row_id) ?? 0) > 0) flags.push('group-call');
      const result = numberOf(c.call_result);
      if (result !== null) flags.push(`call-result-${result}`);
      yield {
        type: 'call',
        key: `call_log:${c._id}`,
        participantKey,
        direction,
        startedAt: timeOf(c.timestamp, flags),
        durationSeconds: duration !== null && duration >= 0 ? Math.round(duration) : null,
        deleted: false,
        flags,
        source,
      } satisfies IngestRecord;
    },
  );
}
