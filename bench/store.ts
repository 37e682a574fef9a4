/**
 * What SQLCipher costs the store: bulk insert, indexed reads and FTS reads on
 * the project's encrypted database against plain SQLite from the same
 * package, on identical synthetic messages and identical queries.
 *
 *   npm run bench:store [-- --rows 200000 --runs 3]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3-multiple-ciphers';

import { openEncryptedDatabase, type Db } from '../main/store/EncryptedDatabase.js';
import {
  makeFtsQueries,
  makeIndexedQueries,
  makeMessages,
  makeVocabulary,
  seededRandom,
  threadCount,
  type IndexedQuery,
  type MessageRow,
} from './syntheticMessages.js';

const BATCH_ROWS = 10_000;
const INDEXED_QUERIES = 100_000;
const FTS_QUERIES = 20_000;
const SEEDS = { vocabulary: 1, rows: 2, indexed: 3, fts: 4 };

const SCHEMA = `
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL,
    sender TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX messages_thread_time ON messages (thread_id, sent_at);
  CREATE VIRTUAL TABLE messages_fts USING fts5 (body, content = 'messages', content_rowid = 'id');
`;

/**
 * Read back from the encrypted connection and set on the plain one, so the
 * reference always runs with whatever openEncryptedDatabase sets today.
 */
const MIRRORED_PRAGMAS = [
  'page_size',
  'journal_mode',
  'synchronous',
  'foreign_keys',
  'busy_timeout',
  'cache_size',
  'cache_spill',
  'mmap_size',
  'temp_store',
  'wal_autocheckpoint',
  'journal_size_limit',
] as const;

type Pragmas = Map<string, unknown>;
type SideName = 'plain' | 'encrypted';

interface Side {
  name: SideName;
  open(path: string, create: boolean): Db;
}

interface Phase {
  label: string;
  unit: string;
  goal: number;
  runs: Record<SideName, number[]>;
}

function readPragmas(db: Db): Pragmas {
  return new Map(MIRRORED_PRAGMAS.map((name) => [name, db.pragma(name, { simple: true })]));
}

function openPlain(path: string, create: boolean, pragmas: Pragmas): Db {
  const db = new Database(path, { fileMustExist: !create });
  for (const [name, value] of pragmas) db.pragma(`${name} = ${String(value)}`);

  const applied = readPragmas(db);
  for (const [name, value] of pragmas) {
    if (applied.get(name) !== value) {
      db.close();
      throw new Error(`plain side refused ${name} = ${String(value)} (has ${String(applied.get(name))})`);
    }
  }
  return db;
}

function makeSides(dir: string): { sides: Side[]; pragmas: Pragmas } {
  const key = randomBytes(32);
  const label = 'the benchmark database';
  const encrypted: Side = {
    name: 'encrypted',
    open: (path, create) => openEncryptedDatabase({ path, key, create, label }),
  };

  // A throwaway encrypted database tells us the pragmas to mirror.
  const probe = encrypted.open(join(dir, 'probe.db'), true);
  const pragmas = readPragmas(probe);
  probe.close();

  const plain: Side = { name: 'plain', open: (path, create) => openPlain(path, create, pragmas) };
  return { sides: [encrypted, plain], pragmas };
}

/** Lets a Ctrl-C handler run between synchronous stretches of SQLite work. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Fills a new database; returns rows per second over the transactions and the final checkpoint. */
async function timeInsert(db: Db, rows: number, vocabulary: readonly string[]): Promise<number> {
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

  // Rows are made outside the clock, a batch at a time, to keep memory flat.
  const random = seededRandom(SEEDS.rows);
  const threads = threadCount(rows);
  let elapsed = 0;
  for (let first = 1; first <= rows; first += BATCH_ROWS) {
    const batch = makeMessages(random, vocabulary, first, Math.min(BATCH_ROWS, rows - first + 1), threads);
    const started = performance.now();
    insertBatch(batch);
    elapsed += performance.now() - started;
    await yieldToEvents();
  }

  const started = performance.now();
  db.pragma('wal_checkpoint(TRUNCATE)');
  elapsed += performance.now() - started;
  return rows / (elapsed / 1000);
}

/** Runs the queries; returns queries per second and the number of rows they returned. */
function timeIndexed(db: Db, queries: readonly IndexedQuery[]): [number, number] {
  const columns = 'SELECT id, sender, sent_at, body FROM messages WHERE thread_id = ?';
  const first = db.prepare(`${columns} AND sent_at >= ? ORDER BY sent_at LIMIT 1`);
  const range = db.prepare(`${columns} AND sent_at BETWEEN ? AND ? ORDER BY sent_at LIMIT 100`);

  let found = 0;
  const started = performance.now();
  for (const q of queries) {
    const rows = q.kind === 'first' ? first.all(q.threadId, q.from) : range.all(q.threadId, q.from, q.to);
    found += rows.length;
  }
  return [queries.length / ((performance.now() - started) / 1000), found];
}

function timeFts(db: Db, queries: readonly string[]): [number, number] {
  const search = db.prepare(
    `SELECT m.id, m.thread_id, m.sent_at FROM messages_fts
     JOIN messages m ON m.id = messages_fts.rowid
     WHERE messages_fts MATCH ? LIMIT 50`,
  );

  let found = 0;
  const started = performance.now();
  for (const q of queries) found += search.all(q).length;
  return [queries.length / ((performance.now() - started) / 1000), found];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Alternates which side goes first, so drift in the machine hits both alike. */
function inTurn(sides: readonly Side[], run: number): Side[] {
  return run % 2 === 0 ? [...sides] : [...sides].reverse();
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function report(phases: readonly Phase[]): string[] {
  const lines = phases.map((p) => {
    const plain = median(p.runs.plain);
    const encrypted = median(p.runs.encrypted);
    const cost = (1 - encrypted / plain) * 100;
    const verdict = cost < p.goal ? 'within goal' : 'OVER GOAL';
    return (
      `${`${p.label}:`.padEnd(15)} plain ${`${count(plain)} ${p.unit}`.padStart(16)}, ` +
      `encrypted ${`${count(encrypted)} ${p.unit}`.padStart(16)}, ` +
      `cost ${`${cost.toFixed(1)}%`.padStart(6)} (goal < ${p.goal}%)  ${verdict}`
    );
  });
  const runs = phases.flatMap((p) =>
    (['plain', 'encrypted'] as const).map(
      (side) => `  ${p.label}, ${side}: ${p.runs[side].map(count).join(' / ')} ${p.unit}`,
    ),
  );
  return [...lines, '', 'each run:', ...runs];
}

function parseOptions(): { rows: number; runs: number } {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '3' } },
  });
  const rows = Number(values.rows);
  const runs = Number(values.runs);
  if (!Number.isInteger(rows) || rows < 1000) throw new Error('--rows must be a whole number of at least 1000');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number of at least 1');
  return { rows, runs };
}

async function main(): Promise<void> {
  const { rows, runs } = parseOptions();
  const dir = mkdtempSync(join(tmpdir(), 'toex-bench-store-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    removeDir();
    process.exit(130);
  });
  const print = (line = ''): boolean => process.stdout.write(`${line}\n`);

  try {
    const { sides, pragmas } = makeSides(dir);
    const vocabulary = makeVocabulary(seededRandom(SEEDS.vocabulary));
    const phases: Phase[] = [
      { label: 'bulk insert', unit: 'rows/s', goal: 15, runs: { plain: [], encrypted: [] } },
      { label: 'indexed reads', unit: 'queries/s', goal: 10, runs: { plain: [], encrypted: [] } },
      { label: 'FTS reads', unit: 'queries/s', goal: 10, runs: { plain: [], encrypted: [] } },
    ];
    const [insert, indexed, fts] = phases as [Phase, Phase, Phase];
    print(`store benchmark: ${count(rows)} rows, ${runs} runs per phase, median shown`);

    // Insert: a fresh database per run; the last run's pair is kept for the reads.
    const paths = new Map<SideName, string>();
    for (let run = 0; run < runs; run += 1) {
      for (const side of inTurn(sides, run)) {
        const previous = paths.get(side.name);
        if (previous !== undefined) rmSync(previous);
        const path = join(dir, `${side.name}-${run}.db`);
        const db = side.open(path, true);
        insert.runs[side.name].push(await timeInsert(db, rows, vocabulary));
        db.close();
        paths.set(side.name, path);
        print(`  insert run ${run + 1}, ${side.name}: ${count(insert.runs[side.name].at(-1)!)} rows/s`);
      }
    }

    // Reads: both reopened, warmed on a slice of the queries, then timed in turn.
    const indexedQueries = makeIndexedQueries(seededRandom(SEEDS.indexed), INDEXED_QUERIES, rows);
    const ftsQueries = makeFtsQueries(seededRandom(SEEDS.fts), vocabulary, FTS_QUERIES);
    const dbs = new Map(sides.map((side) => [side.name, side.open(paths.get(side.name)!, false)]));
    const found = new Map<string, number>();
    for (const [name, db] of dbs) {
      timeIndexed(db, indexedQueries.slice(0, INDEXED_QUERIES / 4));
      timeFts(db, ftsQueries.slice(0, FTS_QUERIES / 4));
      print(`  warmed ${name}`);
    }
    for (const [phase, time] of [
      [indexed, (db: Db) => timeIndexed(db, indexedQueries)],
      [fts, (db: Db) => timeFts(db, ftsQueries)],
    ] as const) {
      for (let run = 0; run < runs; run += 1) {
        for (const side of inTurn(sides, run)) {
          const [rate, rowsFound] = time(dbs.get(side.name)!);
          phase.runs[side.name].push(rate);
          found.set(`${phase.label} ${side.name}`, rowsFound);
          await yieldToEvents();
        }
      }
      print(`  ${phase.label} done`);
    }
    for (const db of dbs.values()) db.close();

    // Both sides must have answered alike, or the comparison means nothing.
    for (const phase of [indexed, fts]) {
      const plain = found.get(`${phase.label} plain`);
      const encrypted = found.get(`${phase.label} encrypted`);
      if (plain !== encrypted) throw new Error(`${phase.label}: plain found ${plain} rows, encrypted ${encrypted}`);
    }

    print();
    print(`SQLite pragmas on both sides: ${[...pragmas].map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    print(
      `database files: plain ${mib(statSync(paths.get('plain')!).size)}, ` +
        `encrypted ${mib(statSync(paths.get('encrypted')!).size)}; ` +
        `rows found: indexed ${count(found.get('indexed reads plain')!)}, ` +
        `FTS ${count(found.get('FTS reads plain')!)} per run`,
    );
    print();
    for (const line of report(phases)) print(line);
    print();
    print(`peak RSS: ${mib(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    removeDir();
  }
}

await main();
