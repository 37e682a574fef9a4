import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { caseMigrations } from '../../../main/cases/caseSchema.js';
import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { migrate } from '../../../main/store/migrate.js';
import { useTempDirs } from '../../helpers/temp.js';

const FLAGS = caseMigrations.findIndex(
  (m) => m.name === 'extraction ingest: call flags, deleted contacts',
);

describe('ingestSchema: call flags, deleted contacts', () => {
  const tempDir = useTempDirs();

  it('gives calls and contacts stored before it no flags and no deletion, and keeps them unchangeable', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'case.db'),
      key: randomBytes(32),
      create: true,
      label: 'case db',
    });
    migrate(db, caseMigrations.slice(0, FLAGS), 'case db');
    db.exec(`
      INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
        VALUES ('calllog.db', '/calllog.db', 1, '${'a'.repeat(64)}', '${'b'.repeat(32)}', 'evidence/x', 'me', 'now');
      INSERT INTO calls (evidence_id, key, direction, deleted, source)
        VALUES (1, 'calls:1', 'missed', 0, '{}');
      INSERT INTO contacts (evidence_id, key, name, identifiers, source)
        VALUES (1, 'raw_contacts:1', 'Stef', '["+447700900123"]', '{}');
    `);

    migrate(db, caseMigrations.slice(0, FLAGS + 1), 'case db');

    expect(db.prepare('SELECT key, flags FROM calls').all()).toEqual([
      { key: 'calls:1', flags: '[]' },
    ]);
    expect(db.prepare('SELECT key, deleted FROM contacts').all()).toEqual([
      { key: 'raw_contacts:1', deleted: 0 },
    ]);
    expect(() => db.prepare(`UPDATE calls SET flags = '["voicemail"]'`).run()).toThrow(
      /never changed/,
    );
    expect(() =>
      db
        .prepare(
          `INSERT INTO contacts (evidence_id, key, identifiers, deleted, source)
           VALUES (1, 'raw_contacts:2', '[]', 2, '{}')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});
