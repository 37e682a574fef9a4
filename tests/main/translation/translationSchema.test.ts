import { describe, expect, it } from 'vitest';

import { caseDbBefore } from '../../helpers/caseDb.js';
import { useTempDirs } from '../../helpers/temp.js';

/** A finished transcript of one segment, as the transcription job stores it, for evidence item 1. */
const TRANSCRIPT = `
  INSERT INTO jobs (id, kind, state, params, created_by, created_at)
    VALUES ('j1', 'transcribe', 'done', '{}', 'me', 'now');
  INSERT INTO transcripts (id, evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
    VALUES (1, 1, 'j1', 'whisper.cpp', 'm', '${'c'.repeat(64)}', 'me', 'now');
  INSERT INTO segments (id, transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
    VALUES (1, 1, 0, 1000, '明天我去火车站', '[]', 0, '[]', 0);`;

/** A machine translation of that transcript's segment, at version 1. */
const SEGMENT_TRANSLATION = `
  INSERT INTO segment_translations (transcript_id, segment_id, transcript_version, source_language,
      target_language, engine, model_id, model_sha256, text, confidence, flags, job_id, created_at)
    VALUES (1, 1, 1, 'zh', 'en', 'e', 'opus-mt-zh-en', '${'c'.repeat(64)}', 'To the station.', 0.7, '[]', 'j1', 'now');`;

describe('translationSchema', () => {
  const tempDir = useTempDirs();

  it('adds translations beside the messages stored before it, never changed or deleted', () => {
    const { db, upgrade } = caseDbBefore(
      tempDir(),
      'machine translations of messages',
      'mmssms.db',
    );
    db.exec(`
      INSERT INTO threads (evidence_id, key, service, is_group, source) VALUES (1, 't1', 'sms', 0, '{}');
      INSERT INTO messages (evidence_id, key, thread_id, direction, body, deleted, flags, source)
        VALUES (1, 'sms:1', 1, 'incoming', '明天我去火车站', 0, '[]', '{}');
      INSERT INTO jobs (id, kind, state, params, created_by, created_at)
        VALUES ('j1', 'translate', 'done', '{}', 'me', 'now');
    `);

    upgrade();

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
    const { db, upgrade } = caseDbBefore(
      tempDir(),
      'machine translations of transcript segments',
      'a.wav',
    );
    db.exec(TRANSCRIPT);

    upgrade();

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

  it('adds versions of segment translations beside those stored before it, never changed', () => {
    const { db, upgrade } = caseDbBefore(
      tempDir(),
      "reviewers' corrections of segment translations",
      'a.wav',
    );
    db.exec(TRANSCRIPT + SEGMENT_TRANSLATION);

    upgrade();

    const insert = (version: number, reason: string) =>
      db
        .prepare(
          `INSERT INTO segment_translation_versions (segment_translation_id, version, text, author, reason, created_at)
           VALUES (1, ?, 'I go to the station tomorrow.', 'me', ?, 'now')`,
        )
        .run(version, reason);
    expect(() => insert(1, 'checked')).toThrow(/CHECK/);
    expect(() => insert(2, ' ')).toThrow(/CHECK/);
    insert(2, 'checked');
    expect(() => insert(2, 'checked')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(`UPDATE segment_translation_versions SET text = 'x'`).run()).toThrow(
      /never changed/,
    );
    expect(db.prepare('SELECT text FROM segment_translations').get()).toEqual({
      text: 'To the station.',
    });
    db.close();
  });

  it('adds the English a translation went through, none for those stored before it', () => {
    const { db, upgrade } = caseDbBefore(
      tempDir(),
      'the English a translation through two models went through',
      'a.wav',
    );
    db.exec(TRANSCRIPT + SEGMENT_TRANSLATION);

    upgrade();

    expect(db.prepare('SELECT text, via_text FROM segment_translations').get()).toEqual({
      text: 'To the station.',
      via_text: null,
    });
    expect(
      db
        .prepare(`SELECT name FROM pragma_table_info('translations') WHERE name = 'via_text'`)
        .get(),
    ).toEqual({ name: 'via_text' });
    db.close();
  });
});
