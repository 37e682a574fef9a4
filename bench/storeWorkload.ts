/**
 * The store benchmark's three workloads on a messages-like table: a bulk
 * fill in batch transactions, lookups on (thread_id, sent_at), and FTS5
 * MATCH queries. Each is timed on its own and knows nothing of encryption.
 */
import type { Db } from '../main/store/EncryptedDatabase.js';
import {
  makeMessages,
  seededRandom,
  threadCount,
  type IndexedQuery,
  type MessageRow,
} from './syntheticMessages.js';

export interface Timed {
  perSecond: number;
  /** Rows the queries returned, so two databases can be checked to agree. */
  rowsFound: number;
}

const BATCH_ROWS = 10_000;

const SCHEMA = `
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL,
    sender TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX messages_thread_time ON messages (thread_id, sent_at);
  CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body, content = 'messages', content_rowid = 'id'
  );
`;

/** Lets a Ctrl-C handler run between synchronous stretches of SQLite work. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Creates the schema in an empty database and fills it, messages and FTS in
 * the same transactions. Timed: the transactions and the closing checkpoint,
 * so both sides pay for moving every page out of the WAL.
 */
export async function fillMessages(
  db: Db,
  rows: number,
  vocabulary: readonly string[],
  seed: number,
): Promise<Timed> {
  db.exec(SCHEMA);
  const insertMessage = db.prepare(
    'INSERT INTO messages (id, thread_id, sender, sent_at, body) VALUES (?, ?, ?, ?, ?)',
  );
  const insertText = db.prepare('INSERT INTO messages_fts (rowid, body) VALUES (?, ?)');
  const insertBatch = db.transaction((batch: MessageRow[]) => {
    for (const m of batch) {
      insertMessage.run(m.id, m.threadId, m.sender, m.sentAt, m.body);
      insertText.run(m.id, m.body);
    }
  });

  // Rows are made off the clock, a batch at a time, to keep memory flat.
  const random = seededRandom(seed);
  const threads = threadCount(rows);
  let elapsed = 0;
  for (let first = 1; first <= rows; first += BATCH_ROWS) {
    const size = Math.min(BATCH_ROWS, rows - first + 1);
    const batch = makeMessages(random, vocabulary, first, size, threads);
    const started = performance.now();
    insertBatch(batch);
    elapsed += performance.now() - started;
    await yieldToEvents();
  }

  const started = performance.now();
  db.pragma('wal_checkpoint(TRUNCATE)');
  elapsed += performance.now() - started;
  return { perSecond: rows / (elapsed / 1000), rowsFound: rows };
}

/** Message bodies too, so table pages are read, not just the index. */
export function timeIndexedReads(db: Db, queries: readonly IndexedQuery[]): Timed {
  const select = 'SELECT id, sender, sent_at, body FROM messages WHERE thread_id = ?';
  const first = db.prepare(`${select} AND sent_at >= ? ORDER BY sent_at LIMIT 1`);
  const range = db.prepare(`${select} AND sent_at BETWEEN ? AND ? ORDER BY sent_at LIMIT 100`);

  let rowsFound = 0;
  const started = performance.now();
  for (const q of queries) {
    const found =
      q.kind === 'first' ? first.all(q.threadId, q.from) : range.all(q.threadId, q.from, q.to);
    rowsFound += found.length;
  }
  return { perSecond: queries.length / ((performance.now() - started) / 1000), rowsFound };
}

/** A search result list: the first 50 hits, joined back to their messages. */
export function timeFtsReads(db: Db, queries: readonly string[]): Timed {
  const search = db.prepare(
    `SELECT m.id, m.thread_id, m.sender, m.sent_at FROM messages_fts
     JOIN messages m ON m.id = messages_fts.rowid
     WHERE messages_fts MATCH ? LIMIT 50`,
  );

  let rowsFound = 0;
  const started = performance.now();
  for (const q of queries) rowsFound += search.all(q).length;
  return { perSecond: queries.length / ((performance.now() - started) / 1000), rowsFound };
}
