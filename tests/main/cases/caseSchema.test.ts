import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { caseMigrations } from '../../../main/cases/caseSchema.js';
import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { migrate } from '../../../main/store/migrate.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('caseSchema', () => {
  const tempDir = useTempDirs();

  it('migration 1 creates the evidence register, jobs, checks and audit, with evidence rows immutable', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'case.db'),
      key: randomBytes(32),
      create: true,
      label: 'case db',
    });
    migrate(db, caseMigrations.slice(0, 1), 'case db');

    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(['audit', 'case_meta', 'evidence', 'evidence_checks', 'jobs']);

    db.prepare(
      `INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
       VALUES ('a', '/a', 1, ?, ?, 'evidence/x', 'me', 'now')`,
    ).run('a'.repeat(64), 'b'.repeat(32));
    expect(() => db.prepare('UPDATE evidence SET size = 2').run()).toThrow(/never changed/);
    expect(() => db.prepare('DELETE FROM evidence').run()).toThrow(/never deleted/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO evidence_checks (job_id, evidence_id, status, checked_at) VALUES ('no-such-job', 1, 'ok', 'now')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO jobs (id, kind, state, params, created_by, created_at) VALUES ('j', 'k', 'sleeping', '{}', 'me', 'now')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});
