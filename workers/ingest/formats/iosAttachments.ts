import type { Database } from 'better-sqlite3';

import { hasTables, type SqliteSchema } from '../formats.js';
import type { AttachmentRecord } from '../records.js';

/** `table.column`, or NULL under the same name when this iOS version lacks it. */
export function column(schema: SqliteSchema, table: string, name: string, alias = name): string {
  return schema.get(table)?.has(name) ? `${table}."${name}" AS "${alias}"` : `NULL AS "${alias}"`;
}

interface AttachmentRow {
  message_id: number;
  filename: unknown;
  mime_type: unknown;
  transfer_name: unknown;
  total_bytes: unknown;
}

function attachment(a: AttachmentRow): AttachmentRecord {
  const path = typeof a.filename === 'string' && a.filename ? a.filename : null;
  const name =
    typeof a.transfer_name === 'string' && a.transfer_name
      ? a.transfer_name
      : (path?.split('/').pop() ?? null);
  const size =
    typeof a.total_bytes === 'number' && Number.isSafeInteger(a.total_bytes) && a.total_bytes >= 0
      ? a.total_bytes
      : null;
  return { name, mime: typeof a.mime_type === 'string' ? a.mime_type : null, size, path };
}

/** Attachments of each message in turn; `close` ends the walk so the database can close. */
export interface AttachmentReader {
  /** The attachments of `messageId`; ask for messages in ascending ROWID order. */
  read(messageId: number): AttachmentRecord[];
  close(): void;
}

/**
 * A reader of each message's attachments, or null when the tables are not there. It walks the join in
 * the same order beside the messages rather than looking each one up, so an
 * extraction whose join table has lost its index is read in one pass.
 * Not yet: an attachment's path is where the phone kept it (~/Library/SMS/Attachments/…);
 * the file is not looked for in the evidence, so a voice note cannot be transcribed from here.
 */
export function attachmentReader(db: Database, schema: SqliteSchema): AttachmentReader | null {
  if (
    !hasTables(
      schema,
      'attachment.ROWID',
      'message_attachment_join.message_id',
      'message_attachment_join.attachment_id',
    )
  ) {
    return null;
  }
  const rows = db
    .prepare(
      `SELECT j.message_id, ${column(schema, 'attachment', 'filename')},
         ${column(schema, 'attachment', 'mime_type')}, ${column(schema, 'attachment', 'transfer_name')},
         ${column(schema, 'attachment', 'total_bytes')}
       FROM message_attachment_join j JOIN attachment ON attachment.ROWID = j.attachment_id
       WHERE typeof(j.message_id) = 'integer' ORDER BY j.message_id, attachment.ROWID`,
    )
    .iterate() as IterableIterator<AttachmentRow>;
  let next: AttachmentRow | undefined;
  let started = false;
  let failure: unknown = null;
  const advance = () => {
    try {
      next = rows.next().value as AttachmentRow | undefined;
    } catch (err) {
      failure = err;
      throw err;
    }
  };

  const read = (messageId: number) => {
    if (failure !== null) throw failure;
    if (!started) {
      started = true;
      advance();
    }
    while (next !== undefined && next.message_id < messageId) advance();
    const found: AttachmentRecord[] = [];
    while (next !== undefined && next.message_id === messageId) {
      found.push(attachment(next));
      advance();
    }
    return found;
  };
  return { read, close: () => void rows.return?.() };
}
