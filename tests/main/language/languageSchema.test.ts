import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { caseMigrations } from '../../../main/cases/caseSchema.js';
import { undetectedMessages } from '../../../main/language/detectJob.js';
import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { migrate } from '../../../main/store/migrate.js';
import { useTempDirs } from '../../helpers/temp.js';

const LANGUAGES = caseMigrations.findIndex((m) => m.name === 'languages of messages');

describe('languageSchema', () => {
  const tempDir = useTempDirs();

  it('leaves messages stored before it untold, and refuses a score outside 0 to 1', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'case.db'),
      key: randomBytes(32),
      create: true,
      label: 'case db',
    });
    migrate(db, caseMigrations.slice(0, LANGUAGES), 'case db');
    db.exec(`
      INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
        VALUES ('mmssms.db', '/mmssms.db', 1, '${'a'.repeat(64)}', '${'b'.repeat(32)}', 'evidence/x', 'me', 'now');
      INSERT INTO threads (evidence_id, key, service, is_group, source) VALUES (1, 't1', 'sms', 0, '{}');
      INSERT INTO messages (evidence_id, key, thread_id, direction, body, deleted, flags, source)
        VALUES (1, 'sms:1', 1, 'incoming', 'vin mâine', 0, '[]', '{}');
      INSERT INTO jobs (id, kind, state, params, created_by, created_at)
        VALUES ('j1', 'language.detect', 'done', '{}', 'me', 'now');
    `);

    migrate(db, caseMigrations.slice(0, LANGUAGES + 1), 'case db');

    expect(undetectedMessages(db)).toBe(1);
    const insert = (confidence: number) =>
      db
        .prepare(
          `INSERT INTO message_languages (message_id, language, confidence, reliable, detector, job_id)
           VALUES (1, 'ro', ?, 1, 'eld-2.1.0-large+arabizi-1', 'j1')`,
        )
        .run(confidence);
    expect(() => insert(1.5)).toThrow(/CHECK/);
    insert(0.79);
    expect(undetectedMessages(db)).toBe(0);
    db.close();
  });
});
