import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Database as Db } from 'better-sqlite3';

import { ToexError } from '../../../main/errors.js';
import type { EvidenceFile, FileFormat, Format, ParseContext, SqliteFormat } from '../formats.js';
import { damageIn, openWorkingCopy, replayWal, SQLITE_MAGIC } from '../openSqliteCopy.js';
import type { IngestRecord } from '../records.js';
import { describeCounts, note, problem, rekey } from './archiveRecords.js';

/** The formats an archive's files are read with: any but the archive formats themselves. */
export interface InnerFormats {
  sqlite: SqliteFormat[];
  file: FileFormat[];
}

export function innerFormats(formats: readonly Format[]): InnerFormats {
  return {
    sqlite: formats.filter((f): f is SqliteFormat => f.kind === 'sqlite'),
    file: formats.filter((f): f is FileFormat => f.kind === 'file'),
  };
}

/** An inner file unpacked for reading. */
export interface Unpacked {
  /** The working copy. */
  file: string;
  /** Its name in records: the path inside the archive, or on the phone for a backup. */
  name: string;
  head: Buffer;
  size: number;
  /** It sits at a path where phones keep a database TOEX looks for. */
  known: boolean;
  /** The -wal file unpacked from beside it, if any. */
  wal: string | null;
}

/** Reads one unpacked inner file with the format that matches it, its records re-keyed. */
export async function* readInnerFile(
  { file, name, head, size, known, wal }: Unpacked,
  inner: InnerFormats,
  ctx: ParseContext,
  stats: { unmatched: number },
): AsyncGenerator<IngestRecord> {
  const innerCtx: ParseContext = {
    file: { path: file, name, size, head },
    region: ctx.region,
    workDir: join(ctx.workDir, 'inner'),
    signal: ctx.signal,
    progress: () => {},
  };
  mkdirSync(innerCtx.workDir, { recursive: true, mode: 0o700 });
  let db: Db | null = null;
  let format: Format | undefined;
  let records: Iterable<IngestRecord> | AsyncIterable<IngestRecord>;
  try {
    if (head.subarray(0, 16).equals(SQLITE_MAGIC)) {
      if (wal && head[18] !== 2 && head[19] !== 2) {
        yield problem(
          name,
          'wal',
          'a -wal file lies beside it, but it is not in WAL mode: not replayed',
        );
      } else if (wal) {
        try {
          copyFileSync(wal, `${file}-wal`);
          const frames = replayWal(file);
          yield frames > 0
            ? note(
                name,
                'wal',
                `the -wal file beside it was replayed into it before reading (${frames} ${frames === 1 ? 'frame' : 'frames'})`,
              )
            : problem(
                name,
                'wal',
                'a -wal file lies beside it but holds no valid frames: nothing was replayed',
              );
        } catch (err) {
          const code = String((err as { code?: unknown }).code ?? 'damaged');
          yield problem(name, 'wal', `the -wal file beside it could not be replayed (${code})`);
        } finally {
          rmSync(`${file}-wal`, { force: true });
          rmSync(`${file}-shm`, { force: true });
        }
      }
      let opened;
      try {
        opened = openWorkingCopy(file);
      } catch (err) {
        if (err instanceof ToexError) yield problem(name, 'unreadable', err.message);
        else throw err;
        return;
      }
      db = opened.db;
      const schema = opened.schema;
      const sqlite = inner.sqlite.find((f) => f.matches(schema));
      if (!sqlite) {
        const tables = [...schema.keys()].slice(0, 8).join(', ');
        if (known) {
          yield problem(
            name,
            'unmatched',
            `no format TOEX reads matches this database (tables ${tables})`,
          );
        } else stats.unmatched += 1;
        return;
      }
      format = sqlite;
      const damage = damageIn(db);
      if (damage) {
        yield problem(
          name,
          'integrity',
          `the database fails SQLite's integrity check (${damage}): rows read from it may be missing or wrong`,
        );
      }
      records = sqlite.parse(db, schema, innerCtx);
    } else {
      const evidence: EvidenceFile = innerCtx.file;
      const chosen = inner.file.find((f) => f.matches(evidence))!;
      format = chosen;
      records = chosen.parse(innerCtx);
    }

    const counts = new Map<string, number>();
    try {
      for await (const r of records) {
        ctx.signal.throwIfAborted();
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
        yield rekey(r, name);
      }
    } catch (err) {
      // A damaged page in one database ends that database, not the archive.
      const damaged = /^SQLITE_/.test(String((err as { code?: unknown }).code));
      if (ctx.signal.aborted || !(err instanceof ToexError || damaged)) throw err;
      yield problem(name, 'stopped', `reading stopped: ${(err as Error).message}`);
    }
    yield note(name, 'read', `read as ${format.label} (${format.id}): ${describeCounts(counts)}`);
  } finally {
    db?.close();
    rmSync(innerCtx.workDir, { recursive: true, force: true });
  }
}
