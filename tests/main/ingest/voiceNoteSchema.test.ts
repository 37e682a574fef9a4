import { describe, expect, it } from 'vitest';

import { caseDbBefore } from '../../helpers/caseDb.js';
import { useTempDirs } from '../../helpers/temp.js';

describe('voice note migration', () => {
  const tempDir = useTempDirs();

  it('puts the newest words of every finished transcript made before it in the index, and no unfinished one', () => {
    const { db, upgrade } = caseDbBefore(
      tempDir(),
      'voice notes linked to their messages',
      'a.wav',
    );
    db.exec(`
      INSERT INTO jobs (id, kind, state, params, created_by, created_at)
        VALUES ('j1', 'transcribe', 'done', '{}', 'me', 'now'), ('j2', 'transcribe', 'running', '{}', 'me', 'now');
      INSERT INTO transcripts (id, evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
        VALUES (1, 1, 'j1', 'whisper.cpp', 'm', '${'c'.repeat(64)}', 'me', 'now'),
               (2, 1, 'j2', 'whisper.cpp', 'm', '${'c'.repeat(64)}', 'me', 'now');
      INSERT INTO segments (id, transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
        VALUES (1, 1, 0, 1000, ' meet at the station', '[]', 0, '[]', 0),
               (2, 1, 1000, 2000, ' at nine', '[]', 0, '[]', 0),
               (3, 2, 0, 1000, ' half done', '[]', 0, '[]', 0);
      INSERT INTO transcript_versions (transcript_id, version, author, created_at, reason)
        VALUES (1, 2, 'me', 'now', 'checked');
      INSERT INTO segment_edits (transcript_id, version, segment_id, text, speaker)
        VALUES (1, 2, 1, 'meet at the depot', NULL);
    `);

    upgrade();

    expect(db.prepare('SELECT rowid, text FROM transcript_fts').all()).toEqual([
      { rowid: 1, text: 'meet at the depot at nine' },
    ]);
    db.close();
  });
});
