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

  it('migration 3 keeps existing segments, and lets the same answer be said twice', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'case.db'),
      key: randomBytes(32),
      create: true,
      label: 'case db',
    });
    migrate(db, caseMigrations.slice(0, 2), 'case db');
    db.exec(`
      INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
        VALUES ('a.wav', '/a.wav', 1, '${'a'.repeat(64)}', '${'b'.repeat(32)}', 'evidence/x', 'me', 'now');
      INSERT INTO jobs (id, kind, state, params, created_by, created_at) VALUES ('j', 'transcribe', 'done', '{}', 'me', 'now');
      INSERT INTO transcripts (evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
        VALUES (1, 'j', 'whisper.cpp', 'm', '${'c'.repeat(64)}', 'me', 'now');
      INSERT INTO segments (transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
        VALUES (1, 0, 900, 'No.', '[]', -0.2, '[]', 0);
    `);

    migrate(db, caseMigrations, 'case db');
    const insert = db.prepare(
      `INSERT INTO segments (transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
       VALUES (1, 0, 900, 'No.', '[]', -0.2, '[]', 0)`,
    );
    insert.run();
    expect(db.prepare('SELECT id, text, channel FROM segments ORDER BY id').all()).toEqual([
      { id: 1, text: 'No.', channel: null },
      { id: 2, text: 'No.', channel: null },
    ]);
    expect(() => db.prepare(`UPDATE segments SET text = 'Yes.'`).run()).toThrow(/never changed/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO segment_edits (transcript_id, version, segment_id, text) VALUES (1, 2, 1, 'x')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('migration 5 adds speaker suggestions that are never changed or deleted, beside the segments', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'case.db'),
      key: randomBytes(32),
      create: true,
      label: 'case db',
    });
    migrate(db, caseMigrations.slice(0, 3), 'case db');
    db.exec(`
      INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
        VALUES ('a.wav', '/a.wav', 1, '${'a'.repeat(64)}', '${'b'.repeat(32)}', 'evidence/x', 'me', 'now');
      INSERT INTO jobs (id, kind, state, params, created_by, created_at) VALUES ('j', 'transcribe', 'done', '{}', 'me', 'now');
      INSERT INTO transcripts (evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
        VALUES (1, 'j', 'whisper.cpp', 'm', '${'c'.repeat(64)}', 'me', 'now');
      INSERT INTO segments (transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms, speaker_suggestion)
        VALUES (1, 0, 900, 'No.', '[]', -0.2, '[]', 0, 'Channel 1');
    `);

    migrate(db, caseMigrations, 'case db');
    db.exec(`
      INSERT INTO jobs (id, kind, state, params, created_by, created_at) VALUES ('s', 'transcript.speakers', 'done', '{}', 'me', 'now');
      INSERT INTO speaker_embeddings (job_id, segment_id, embedding) VALUES ('s', 1, NULL);
      INSERT INTO speaker_suggestions (job_id, transcript_id, segment_id, label, similarity, voted, model_id, model_sha256, created_at)
        VALUES ('s', 1, 1, 'Speaker A', 0.9, 1, 'ge2e', '${'d'.repeat(64)}', 'now');
    `);
    expect(db.prepare('SELECT speaker_suggestion FROM segments').get()).toEqual({
      speaker_suggestion: 'Channel 1',
    });
    expect(() => db.prepare(`UPDATE speaker_suggestions SET label = 'B'`).run()).toThrow(
      /never changed/,
    );
    expect(() => db.prepare('DELETE FROM speaker_suggestions').run()).toThrow(/never deleted/);
    const insert = (segment: number, voted: number) =>
      db
        .prepare(
          `INSERT INTO speaker_suggestions (job_id, transcript_id, segment_id, label, voted, model_id, model_sha256, created_at)
           VALUES ('s', 1, ?, 'Speaker B', ?, 'ge2e', '${'d'.repeat(64)}', 'now')`,
        )
        .run(segment, voted);
    expect(() => insert(1, 1)).toThrow(/UNIQUE/);
    expect(() => insert(2, 1)).toThrow(/FOREIGN KEY/);
    db.exec(
      `INSERT INTO segments (transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms) VALUES (1, 900, 1800, 'Yes.', '[]', -0.2, '[]', 0)`,
    );
    expect(() => insert(2, 2)).toThrow(/CHECK/);
    db.close();
  });
});
