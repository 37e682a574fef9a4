import { describe, expect, it } from 'vitest';

import { undetectedMessages } from '../../../main/language/detectJob.js';
import { caseDbBefore } from '../../helpers/caseDb.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('languageSchema', () => {
  const tempDir = useTempDirs();

  it('leaves messages stored before it untold, and refuses a score outside 0 to 1', () => {
    const { db, upgrade } = caseDbBefore(tempDir(), 'languages of messages', 'mmssms.db');
    db.exec(`
      INSERT INTO threads (evidence_id, key, service, is_group, source) VALUES (1, 't1', 'sms', 0, '{}');
      INSERT INTO messages (evidence_id, key, thread_id, direction, body, deleted, flags, source)
        VALUES (1, 'sms:1', 1, 'incoming', 'vin mâine', 0, '[]', '{}');
      INSERT INTO jobs (id, kind, state, params, created_by, created_at)
        VALUES ('j1', 'language.detect', 'done', '{}', 'me', 'now');
    `);

    upgrade();

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
