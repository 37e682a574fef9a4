import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';

import type { CaseStore } from '../main/cases/CaseStore.js';
import { Workstation } from '../main/workstation/Workstation.js';
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

/**
 * A new workstation in a folder of its own with one case, BENCH-1, holding an
 * extraction of `rows` messages as its first item, not yet read.
 */
export async function benchCase(
  work: string,
  rows: number,
  passphrase: string,
): Promise<{
  home: string;
  file: string;
  workstation: Workstation;
  store: CaseStore;
  itemId: number;
}> {
  const file = writeExtraction(work, rows);
  const home = mkdtempSync(join(work, 'home-'));
  const { workstation } = await Workstation.init(home, {
    passphrase,
    operator: 'bench',
    scrypt: { N: 2 ** 14, r: 8, p: 1 },
  });
  const info = workstation.createCase({
    reference: 'BENCH-1',
    title: 'bench',
    owner: 'bench',
    classification: 'OFFICIAL',
  });
  const store = workstation.openCase(info.id);
  const { item } = await store.importEvidence(file);
  return { home, file, workstation, store, itemId: item.id };
}
