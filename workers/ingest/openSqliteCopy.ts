import { copyFileSync, openSync, closeSync, writeSync, readSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import type { Database as Db } from 'better-sqlite3';

import { ToexError } from '../../main/errors.js';
import type { SqliteSchema } from './formats.js';

export const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens a phone's database for reading without ever touching the evidence:
 * SQLite writes beside a database even to read it (a -shm file for WAL, hot
 * journal recovery), and the stored copy is read-only. So it reads a working
 * copy, marked as a rollback-journal database so that no -wal or -shm is
 * wanted; a WAL file was never part of the item, so nothing is lost.
 */
export function openSqliteCopy(path: string, workDir: string): { db: Db; schema: SqliteSchema } {
  const copy = join(workDir, 'source.db');
  copyFileSync(path, copy);
  return openWorkingCopy(copy);
}

/**
 * Opens a working copy that is TOEX's own to change (one copied or unpacked
 * from the evidence), marking it a rollback-journal database first.
 */
export function openWorkingCopy(copy: string): { db: Db; schema: SqliteSchema } {
  const fd = openSync(copy, 'r+');
  try {
    const version = Buffer.alloc(2);
    readSync(fd, version, 0, 2, 18);
    if (version[0] === 2 || version[1] === 2) writeSync(fd, Buffer.from([1, 1]), 0, 2, 18);
  } finally {
    closeSync(fd);
  }
  let db: Db;
  try {
    db = new Database(copy, { readonly: true, fileMustExist: true }) as unknown as Db;
    const schema: SqliteSchema = new Map();
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all() as {
      name: string;
    }[];
    for (const { name } of tables) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as {
        name: string;
      }[];
      schema.set(name, new Set(columns.map((c) => c.name)));
    }
    return { db, schema };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    throw new ToexError(
      'bad-input',
      code === 'SQLITE_NOTADB'
        ? 'the file starts like a SQLite database but is not one (encrypted or damaged)'
        : `the SQLite database cannot be read (${code || 'damaged'})`,
    );
  }
}

/**
 * Writes the frames of the write-ahead log at `${copy}-wal` into the working
 * copy `copy`, as SQLite would on opening the phone's database: changes the
 * app committed but had not yet checkpointed. SQLite skips frames whose
 * checksums fail, so a damaged log adds only its valid part. Returns the
 * count of frames written back (none reads the copy meanwhile, so all are).
 */
export function replayWal(copy: string): number {
  const db = new Database(copy, { fileMustExist: true });
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { checkpointed: number }[];
    return Math.max(0, r?.checkpointed ?? 0);
  } finally {
    db.close();
  }
}

/**
 * What SQLite's own check finds wrong with a database's pages, or null when
 * nothing: a damaged page can read back as rows that were never written, or
 * hide rows that were, without any read failing. The words are SQLite's
 * (page and table numbers, never content).
 */
export function damageIn(db: Db): string | null {
  try {
    const rows = db.prepare('PRAGMA quick_check(5)').pluck().all() as string[];
    return rows.length === 1 && rows[0] === 'ok' ? null : rows.join('; ').replace(/\s+/g, ' ');
  } catch (err) {
    return (err as Error).message;
  }
}
