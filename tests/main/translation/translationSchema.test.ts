import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { caseMigrations } from '../../../main/cases/caseSchema.js';
import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { migrate } from '../../../main/store/migrate.js';
import { useTempDirs } from '../../helpers/temp.js';

const TRANSLATIONS = caseMigrations.findIndex((m) =>
  m.name.startsWith('machine translations of messages'),
);
const SEGMENTS = caseMigrations.findIndex(
  (m) => m.name === 'machine translations of transcript segments',
);

describe('translationSchema', () => {
  const tempDir = useTempDirs();

  it('adds translations beside the messages stored before it, never changed or deleted', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'case.db'),
      key: randomBytes(32),
      create: true,
      label: 'case db',
    });
    migrate(db, caseMigrations.slice(0, TRANSLATIONS), 'case db');
    db.exec(`
      INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
        VALUES ('mmssms.db', '/mmssms.db', 1, '${'a'.repeat(64)}', '${'b'.repeat(32)}', 'evidence/x', 'me', 'now');
      INSERT INTO threads (evidence_id, key, service, is_group, source) VALUES (1, 't1', 'sms', 0, '{}');
      INSERT INTO messages (evidence_id, key, thread_id, direction, body, deleted, flags, source)
        VALUES (1, 'sms:1', 1, 'incoming', '明天我去火车站', 0, '[]', '{}');
      INSERT INTO jobs (id, kind, state, params, created_by, created_at)
        VALUES ('j1', 'translate', 'done', '{}', 'me', 'now');
    `);

    migrate(db, caseMigrations.slice(0, TRANSLATIONS + 1), 'case db');

    const insert = (confidence: number) =>
      db
        .prepare(
          `INSERT INTO translations (message_id, source_language, target_language, engine, model_id,
             model_sha256, text, confidence, flags, job_id, created_at)
           VALUES (1, 'zh', 'en', 'e', 'opus-mt-zh-en', '${'c'.repeat(64)}', 'To the station.', ?, '[]', 'j1', 'now')`,
        )
        .run(confidence);
    expect(() => insert(1.2)).toThrow(/CHECK/);
    insert(0.7);
    expect(() => insert(0.7)).toThrow(/UNIQUE/);
    expect(() => db.prepare('DELETE FROM translations').run()).toThrow(/never deleted/);
    expect(db.prepare('SELECT body FROM messages').get()).toEqual({ body: '明天我去火车站' });
    db.close();
  });

  it('adds segment translations keyed by the transcript version they translate', () => {
    const db = openEncryptedDatabase({
      path: join(tempDir(), 'case.db'),
      key: randomBytes(32),
      create: true,
      label: 'case db',
    });
    migrate(db, caseMigrations.slice(0, SEGMENTS), 'case db');
    db.exec(`
      INSERT INTO evidence (original_name, original_path, size, sha256, md5, stored_path, imported_by, imported_at)
        VALUES ('a.wav', '/a.wav', 1, '${'a'.repeat(64)}', '${'b'.repeat(32)}', 'evidence/x', 'me', 'now');
      INSERT INTO jobs (id, kind, state, params, created_by, created_at)
        VALUES ('j1', 'transcribe', 'done', '{}', 'me', 'now');
      INSERT INTO transcripts (id, evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
        VALUES (1, 1, 'j1', 'whisper.cpp', 'm', '${'c'.repeat(64)}', 'me', 'now');
      INSERT INTO segments (id, transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
        VALUES (1, 1, 0, 1000, '明天我去火车站', '[]', 0, '[]', 0);
    `);

    migrate(db, caseMigrations.slice(0, SEGMENTS + 1), 'case db');

    const insert = (version: number) =>
      db
        .prepare(
          `INSERT INTO segment_translations (transcript_id, segment_id, transcript_version, source_language,
             target_language, engine, model_id, model_sha256, text, confidence, flags, job_id, created_at)
           VALUES (1, 1, ?, 'zh', 'en', 'e', 'opus-mt-zh-en', '${'c'.repeat(64)}', 'To the station.', 0.7, '[]', 'j1', 'now')`,
        )
        .run(version);
    insert(1);
    insert(2);
    expect(() => insert(1)).toThrow(/UNIQUE/);
    expect(() => insert(0)).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE segment_translations SET text = 'x'`).run()).toThrow(
      /never changed/,
    );
    db.close();
  });
});
