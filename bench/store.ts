/**
 * What SQLCipher costs the store: bulk insert, indexed reads and FTS reads on
 * the project's encrypted database against plain SQLite from the same
 * package, on identical synthetic messages and identical queries.
 *
 *   npm run bench:store [-- --rows 200000 --runs 3 --pragma wal_autocheckpoint=10000]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3-multiple-ciphers';

import { openEncryptedDatabase, type Db } from '../main/store/EncryptedDatabase.js';
import {
  fillMessages,
  timeFtsReads,
  timeIndexedReads,
  yieldToEvents,
  type Timed,
} from './storeWorkload.js';
import {
  makeFtsQueries,
  makeIndexedQueries,
  makeVocabulary,
  seededRandom,
} from './syntheticMessages.js';

const INDEXED_QUERIES = 100_000;
const FTS_QUERIES = 20_000;
const SEEDS = { vocabulary: 1, rows: 2, indexed: 3, fts: 4 };

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
  /** Highest acceptable cost of encryption, in percent. */
  goal: number;
  runs: Record<SideName, Timed[]>;
}

interface Options {
  rows: number;
  runs: number;
  pragmas: string[];
}

function readPragmas(db: Db): Pragmas {
  return new Map(MIRRORED_PRAGMAS.map((name) => [name, db.pragma(name, { simple: true })]));
}

function openPlain(path: string, create: boolean, pragmas: Pragmas): Db {
  const db = new Database(path, { fileMustExist: !create });
  for (const [name, value] of pragmas) db.pragma(`${name} = ${String(value)}`);

  const applied = readPragmas(db);
  for (const [name, value] of pragmas) {
    if (applied.get(name) === value) continue;
    db.close();
    throw new Error(`the plain side refused ${name} = ${String(value)}`);
  }
  return db;
}

/**
 * `extra` pragmas (from --pragma) go on both sides alike, to try a setting
 * before it goes into openEncryptedDatabase.
 */
function makeSides(dir: string, extra: readonly string[]): { sides: Side[]; pragmas: Pragmas } {
  const key = randomBytes(32);
  const label = 'the benchmark database';
  const encrypted: Side = {
    name: 'encrypted',
    open: (path, create) => {
      const db = openEncryptedDatabase({ path, key, create, label });
      for (const pragma of extra) db.pragma(pragma);
      return db;
    },
  };

  // A throwaway encrypted database tells us the pragmas to mirror.
  const probe = encrypted.open(join(dir, 'probe.db'), true);
  const pragmas = readPragmas(probe);
  probe.close();

  const plain: Side = { name: 'plain', open: (path, create) => openPlain(path, create, pragmas) };
  return { sides: [encrypted, plain], pragmas };
}

/** cache_size counts KiB when negative, pages when positive. */
function cacheBytes(pragmas: Pragmas): number {
  const size = Number(pragmas.get('cache_size'));
  return size < 0 ? -size * 1024 : size * Number(pragmas.get('page_size'));
}

/** Alternates which side goes first, so drift in the machine hits both alike. */
function inTurn(sides: readonly Side[], run: number): Side[] {
  return run % 2 === 0 ? [...sides] : [...sides].reverse();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function report(phases: readonly Phase[]): string[] {
  const summary = phases.map((p) => {
    const plain = median(p.runs.plain.map((t) => t.perSecond));
    const encrypted = median(p.runs.encrypted.map((t) => t.perSecond));
    const cost = (1 - encrypted / plain) * 100;
    const figure = (n: number): string => `${count(n)} ${p.unit}`.padStart(17);
    return (
      `${`${p.label}:`.padEnd(15)} plain ${figure(plain)}, encrypted ${figure(encrypted)}, ` +
      `cost ${`${cost.toFixed(1)}%`.padStart(6)} (goal < ${p.goal}%)` +
      (cost < p.goal ? '' : '  OVER GOAL')
    );
  });
  const runs = phases.flatMap((p) =>
    (['plain', 'encrypted'] as const).map((side) => {
      const figures = p.runs[side].map((t) => count(t.perSecond)).join(' / ');
      return `  ${p.label}, ${side}: ${figures} ${p.unit}`;
    }),
  );
  return [...summary, '', 'each run, in order:', ...runs];
}

/** Both sides must return the same rows, or the comparison means nothing. */
function checkAgreement(phase: Phase): void {
  const found = (side: SideName): string => phase.runs[side].map((t) => t.rowsFound).join(',');
  if (found('plain') !== found('encrypted')) {
    throw new Error(`${phase.label}: plain and encrypted returned different rows`);
  }
}

/** Progress goes to stderr, so stdout carries only the results. */
const progress = (line: string): void => void process.stderr.write(`  ${line}\n`);

/** Each run fills a fresh pair; the last pair stays for the reads. */
async function runInserts(
  sides: readonly Side[],
  phase: Phase,
  options: Options,
  dir: string,
  vocabulary: readonly string[],
): Promise<Map<SideName, string>> {
  const paths = new Map<SideName, string>();
  for (let run = 0; run < options.runs; run += 1) {
    for (const side of inTurn(sides, run)) {
      const previous = paths.get(side.name);
      if (previous !== undefined) rmSync(previous);

      const path = join(dir, `${side.name}-${run}.db`);
      const db = side.open(path, true);
      try {
        phase.runs[side.name].push(await fillMessages(db, options.rows, vocabulary, SEEDS.rows));
      } finally {
        db.close();
      }
      paths.set(side.name, path);
      progress(`${phase.label}, run ${run + 1} of ${options.runs}, ${side.name}: done`);
    }
  }
  return paths;
}

/**
 * Reopens both databases, warms each on a quarter of the queries (so the
 * page cache is in its steady state), then times the phases in turn.
 */
async function runReads(
  dbs: ReadonlyMap<SideName, Db>,
  sides: readonly Side[],
  phases: ReadonlyArray<[Phase, (db: Db) => Timed, (db: Db) => Timed]>,
  runs: number,
): Promise<void> {
  for (const db of dbs.values()) {
    for (const [, , warm] of phases) warm(db);
  }
  for (const [phase, time] of phases) {
    for (let run = 0; run < runs; run += 1) {
      for (const side of inTurn(sides, run)) {
        phase.runs[side.name].push(time(dbs.get(side.name)!));
        await yieldToEvents();
      }
      progress(`${phase.label}, run ${run + 1} of ${runs}: done`);
    }
  }
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '200000' },
      runs: { type: 'string', default: '3' },
      pragma: { type: 'string', multiple: true, default: [] },
    },
  });
  const rows = Number(values.rows);
  const runs = Number(values.runs);
  if (!Number.isInteger(rows) || rows < 1000) throw new Error('--rows takes 1000 or more');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes 1 or more');

  const pragmas = values.pragma.map((p) => p.trim());
  for (const p of pragmas) {
    const name = /^(\w+)\s*=\s*-?\w+$/.exec(p)?.[1];
    if (name === undefined || !(MIRRORED_PRAGMAS as readonly string[]).includes(name)) {
      throw new Error(`--pragma takes name=value, for one of: ${MIRRORED_PRAGMAS.join(', ')}`);
    }
  }
  return { rows, runs, pragmas };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const dir = mkdtempSync(join(tmpdir(), 'toex-bench-store-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    removeDir();
    process.exit(130);
  });
  const print = (line = ''): void => void process.stdout.write(`${line}\n`);

  try {
    const { sides, pragmas } = makeSides(dir, options.pragmas);
    const vocabulary = makeVocabulary(seededRandom(SEEDS.vocabulary));
    const phase = (label: string, unit: string, goal: number): Phase => ({
      label,
      unit,
      goal,
      runs: { plain: [], encrypted: [] },
    });
    const insert = phase('bulk insert', 'rows/s', 15);
    const indexed = phase('indexed reads', 'queries/s', 10);
    const fts = phase('FTS reads', 'queries/s', 10);
    print(`store benchmark: ${count(options.rows)} rows, ${options.runs} runs per phase, medians`);

    const paths = await runInserts(sides, insert, options, dir, vocabulary);
    const indexedRandom = seededRandom(SEEDS.indexed);
    const indexedQueries = makeIndexedQueries(indexedRandom, INDEXED_QUERIES, options.rows);
    const ftsQueries = makeFtsQueries(seededRandom(SEEDS.fts), vocabulary, FTS_QUERIES);
    const dbs = new Map(sides.map((s) => [s.name, s.open(paths.get(s.name)!, false)] as const));
    try {
      await runReads(
        dbs,
        sides,
        [
          [
            indexed,
            (db) => timeIndexedReads(db, indexedQueries),
            (db) => timeIndexedReads(db, indexedQueries.slice(0, INDEXED_QUERIES / 4)),
          ],
          [
            fts,
            (db) => timeFtsReads(db, ftsQueries),
            (db) => timeFtsReads(db, ftsQueries.slice(0, FTS_QUERIES / 4)),
          ],
        ],
        options.runs,
      );
    } finally {
      for (const db of dbs.values()) db.close();
    }
    checkAgreement(indexed);
    checkAgreement(fts);

    const size = (side: SideName): string => mib(statSync(paths.get(side)!).size);
    print(`pragmas, both sides: ${[...pragmas].map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    print(`database files: plain ${size('plain')}, encrypted ${size('encrypted')}`);
    print(
      `page cache: ${mib(cacheBytes(pragmas))} per connection; reads cost more once the ` +
        'file outgrows it, as each miss is decrypted and its HMAC checked',
    );
    print(
      `rows returned per run: indexed ${count(indexed.runs.plain[0]!.rowsFound)}, ` +
        `FTS ${count(fts.runs.plain[0]!.rowsFound)} (the same on both sides)`,
    );
    print();
    for (const line of report([insert, indexed, fts])) print(line);
    print();
    print(`peak RSS: ${mib(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    removeDir();
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench:store failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
