import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

import { makeMessages, makeVocabulary, seededRandom, threadCount } from './syntheticMessages.js';

/** An mmssms.db with `rows` SMS across threads of about 50, written in one transaction. */
export function writeExtraction(work: string, rows: number): string {
  const path = join(work, `mmssms-${rows}.db`);
  const db = new Database(path);
  db.exec(`
    CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY, address TEXT);
    CREATE TABLE threads (_id INTEGER PRIMARY KEY, recipient_ids TEXT);
    CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, date INTEGER,
      type INTEGER, body TEXT);
  `);
  const random = seededRandom(42);
  const vocabulary = makeVocabulary(random);
  const threads = threadCount(rows);
  const number = (i: number) => `07700 9${String(i % 100_000).padStart(5, '0')}`;
  db.transaction(() => {
    const address = db.prepare('INSERT INTO canonical_addresses (_id, address) VALUES (?, ?)');
    const thread = db.prepare('INSERT INTO threads (_id, recipient_ids) VALUES (?, ?)');
    for (let t = 1; t <= threads; t += 1) {
      address.run(t, number(t));
      thread.run(t, String(t));
    }
    const sms = db.prepare(
      'INSERT INTO sms (_id, thread_id, address, date, type, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (let first = 1; first <= rows; first += 10_000) {
      for (const m of makeMessages(
        random,
        vocabulary,
        first,
        Math.min(10_000, rows - first + 1),
        threads,
      )) {
        sms.run(
          m.id,
          m.threadId,
          number(m.threadId),
          m.sentAt * 1000,
          m.id % 3 === 0 ? 2 : 1,
          m.body,
        );
      }
    }
  })();
  db.close();
  return path;
}
