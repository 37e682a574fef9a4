import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { caseMigrations } from '../../../main/cases/caseSchema.js';
import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { migrate } from '../../../main/store/migrate.js';
import { useTempDirs } from '../../helpers/temp.js';

const PAUSED = caseMigrations.findIndex((m) => m.name === 'jobs can be paused');

describe('caseSchema: jobs can be paused', () => {
  const tempDir = useTempDirs();

  it('rebuilds the jobs table to take paused, keeping every job and the rows that point at it', () => {
    const path = join(tempDir(), 'case.db');
    const key = randomBytes(32);
    const db = openEncryptedDatabase({ path, key, create: true, label: 'case db' });
    migrate(db, caseMigrations.slice(0, PAUSED), 'case db');

    db.exec(`
      INSERT INTO jobs (id, kind, state, params, progress, checkpoint, attempts, created_by, created_at)
        VALUES ('j1', 'transcribe', 'running', '{"evidenceId":1}', 0.5, '{"doneMs":5000}', 2, 'me', 't1'),
               ('j2', 'evidence.verify', 'done', '{}', 1, NULL, 1, 'me', 't2');
      INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
        VALUES ('a.wav', '/a.wav', 1, '${'a'.repeat(64)}', '${'b'.repeat(32)}', 'evidence/x', 'me', 'now');
      INSERT INTO transcripts (evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
        VALUES (1, 'j1', 'whisper.cpp 1.5.0', 'whisper-tiny.en', '${'c'.repeat(64)}', 'me', 'now');
      INSERT INTO evidence_checks (job_id, evidence_id, status, checked_at) VALUES ('j2', 1, 'ok', 'now');
    `);
    const before = db.prepare('SELECT * FROM jobs ORDER BY id').all();

    migrate(db, caseMigrations.slice(0, PAUSED + 1), 'case db');

    const after = db.prepare('SELECT * FROM jobs ORDER BY id').all() as Record<string, unknown>[];
    expect(after.map(({ pause_requested, ...rest }) => [rest, pause_requested])).toEqual(
      before.map((row) => [row, 0]),
    );
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('user_version', { simple: true })).toBe(PAUSED + 1);
    db.prepare(`UPDATE jobs SET state = 'paused' WHERE id = 'j1'`).run();
    expect(() => db.prepare(`UPDATE jobs SET state = 'sleeping' WHERE id = 'j1'`).run()).toThrow(
      /CHECK/,
    );
    expect(() =>
      db
        .prepare(
          `INSERT INTO transcripts (evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
           VALUES (1, 'no-such-job', 'e', 'm', ?, 'me', 'now')`,
        )
        .run('d'.repeat(64)),
    ).toThrow(/FOREIGN KEY/);
    expect(
      db.prepare(`SELECT name FROM sqlite_schema WHERE tbl_name = 'jobs' AND type = 'index'`).all(),
    ).toEqual(expect.arrayContaining([{ name: 'jobs_state' }]));
    db.close();
  });
});
