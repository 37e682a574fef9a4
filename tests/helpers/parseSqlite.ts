import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import type { SqliteFormat, SqliteSchema } from '../../workers/ingest/formats.js';
import { openSqliteCopy } from '../../workers/ingest/openSqliteCopy.js';
import type { IngestRecord } from '../../workers/ingest/records.js';

/** A SQLite file's schema as the ingest worker reads it, from a working copy. */
export function schemaOf(path: string): SqliteSchema {
  const work = mkdtempSync(join(tmpdir(), 'toex-schema-'));
  try {
    const { db, schema } = openSqliteCopy(path, work);
    db.close();
    return schema;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Every record `format` reads from the SQLite file at `path`, as the ingest
 * worker would have it parse them (a working copy, a GB device), with the
 * progress it reported.
 */
export function parseSqlite(
  format: SqliteFormat,
  path: string,
): { records: IngestRecord[]; progress: [number, number][] } {
  const work = mkdtempSync(join(tmpdir(), 'toex-parse-'));
  const { db, schema } = openSqliteCopy(path, work);
  const progress: [number, number][] = [];
  try {
    if (!format.matches(schema)) throw new Error(`${format.id} does not match ${basename(path)}`);
    const records = [
      ...format.parse(db, schema, {
        file: { path, name: basename(path), size: 0, head: Buffer.alloc(0) },
        region: 'GB',
        workDir: work,
        signal: new AbortController().signal,
        progress: (done, total) => progress.push([done, total]),
      }),
    ];
    return { records, progress };
  } finally {
    db.close();
    rmSync(work, { recursive: true, force: true });
  }
}
