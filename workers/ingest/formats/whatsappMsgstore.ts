import type { Database } from 'better-sqlite3';

import { hasTables, type SqliteFormat } from '../formats.js';
import { whatsappCalls } from './whatsappCalls.js';
import { LEGACY_CONTENT, legacyMessages } from './whatsappLegacy.js';
import { MODERN_CONTENT, modernMessages } from './whatsappModern.js';
import { anyWhere, WhatsAppBook } from './whatsappRows.js';

const MODERN = [
  'message.chat_row_id',
  'message.from_me',
  'message.text_data',
  'chat.jid_row_id',
  'jid.user',
];
const LEGACY = ['messages.key_remote_jid', 'messages.key_from_me', 'messages.data'];

/**
 * WhatsApp on Android (msgstore.db), in the legacy schema, the new one, or
 * the databases of the migration years that hold both. Those are read from
 * the new tables when they hold messages, else from the legacy table, never
 * from both: the same messages are in each.
 *
 * Not yet: deleted records left in the database's free pages are not recovered.
 * Not yet: the legacy schema's quoted replies (messages_quotes), reactions and edits are not read.
 * Not yet: encrypted backups (msgstore.db.crypt12/14/15) are not decrypted, so not read.
 */
export const whatsappMsgstore: SqliteFormat = {
  kind: 'sqlite',
  id: 'whatsapp.msgstore',
  label: 'WhatsApp on Android (msgstore.db)',

  matches(schema) {
    return hasTables(schema, ...MODERN) || hasTables(schema, ...LEGACY);
  },

  *parse(db, schema, ctx) {
    const file = ctx.file.name;
    const modern = hasTables(schema, ...MODERN) && anyWhere(db, 'message', MODERN_CONTENT);
    // One book for messages and calls, so each person is handed on once.
    const book = new WhatsAppBook(ctx.region);
    if (!modern && hasTables(schema, ...LEGACY)) {
      yield* legacyMessages(db, schema, ctx, book);
      yield* whatsappCalls(db, schema, ctx, book);
      return;
    }
    yield* modernMessages(db, schema, ctx, book);
    yield* whatsappCalls(db, schema, ctx, book);

    // A legacy row with no copy among the new ones is said, not silently left.
    if (hasTables(schema, ...LEGACY, 'messages.key_id', 'message.key_id')) {
      const left = notMigrated(db);
      if (left !== 0) {
        yield {
          type: 'problem',
          key: 'problem:messages:not-migrated',
          message:
            left === null
              ? 'the legacy messages table could not be compared with the message table'
              : `${left} rows of the legacy messages table have no copy in the message table and were not read`,
          source: { file, table: 'messages' },
        };
      }
    }
  },
};

function notMigrated(db: Database): number | null {
  try {
    const r = db
      .prepare(
        `SELECT count(*) AS n FROM messages WHERE (${LEGACY_CONTENT})
         AND NOT EXISTS (SELECT 1 FROM message WHERE message.key_id = messages.key_id)`,
      )
      .get() as { n: number };
    return r.n;
  } catch {
    return null;
  }
}
