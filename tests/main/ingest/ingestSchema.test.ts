import { describe, expect, it } from 'vitest';

import { caseDbBefore } from '../../helpers/caseDb.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('ingestSchema: call flags, deleted contacts', () => {
  const tempDir = useTempDirs();

  it('gives calls and contacts stored before it no flags and no deletion, and keeps them unchangeable', () => {
    const { db, upgrade } = caseDbBefore(
      tempDir(),
      'extraction ingest: call flags, deleted contacts',
      'calllog.db',
    );
    db.exec(`
      INSERT INTO calls (evidence_id, key, direction, deleted, source)
        VALUES (1, 'calls:1', 'missed', 0, '{}');
      INSERT INTO contacts (evidence_id, key, name, identifiers, source)
        VALUES (1, 'raw_contacts:1', 'Stef', '["+447700900123"]', '{}');
    `);

    upgrade();

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
