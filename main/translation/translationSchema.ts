import type { Migration } from '../store/migrate.js';

/**
 * Machine translations of messages. The original is never touched: each
 * translation is a row of its own naming the engine, model and model hash
 * that made it and the job that ran it. A reviewer's correction is a new
 * version (who, when, why), never an overwrite; the search index holds each
 * translation's newest version.
 */
export const translationMigration: Omit<Migration, 'version'> = {
  name: 'machine translations of messages, their reviewed versions and their index',
  up(db) {
    db.exec(`
      CREATE TABLE translations (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id),
        source_language TEXT NOT NULL,
        target_language TEXT NOT NULL,
        engine TEXT NOT NULL,
        model_id TEXT NOT NULL,
        model_sha256 TEXT NOT NULL CHECK (length(model_sha256) = 64),
        text TEXT NOT NULL,
        confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        flags TEXT NOT NULL,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        created_at TEXT NOT NULL,
        UNIQUE (message_id, target_language, model_id)
      ) STRICT;
      CREATE INDEX translations_by_confidence ON translations (confidence);
      CREATE TRIGGER translations_no_update BEFORE UPDATE ON translations
        BEGIN SELECT RAISE(ABORT, 'machine translations are never changed'); END;
      CREATE TRIGGER translations_no_delete BEFORE DELETE ON translations
        BEGIN SELECT RAISE(ABORT, 'machine translations are never deleted'); END;

      -- Version 1 is the machine's text; each reviewed correction is the next.
      CREATE TABLE translation_versions (
        translation_id INTEGER NOT NULL REFERENCES translations (id),
        version INTEGER NOT NULL CHECK (version >= 2),
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        created_at TEXT NOT NULL,
        PRIMARY KEY (translation_id, version)
      ) STRICT;
      CREATE TRIGGER translation_versions_no_update BEFORE UPDATE ON translation_versions
        BEGIN SELECT RAISE(ABORT, 'translation versions are never changed'); END;
      CREATE TRIGGER translation_versions_no_delete BEFORE DELETE ON translation_versions
        BEGIN SELECT RAISE(ABORT, 'translation versions are never deleted'); END;

      -- The newest version of each translation, folded like the messages' index.
      CREATE VIRTUAL TABLE translations_fts USING fts5 (
        text, tokenize = 'unicode61 remove_diacritics 2'
      );
    `);
  },
};

/**
 * Machine translations of transcripts, segment by segment, of the text a
 * segment had at one version of the transcript: a correction made later is
 * a new version, translated again when asked, and the old translation stays
 * with the version it was made from.
 */
export const segmentTranslationMigration: Omit<Migration, 'version'> = {
  name: 'machine translations of transcript segments',
  up(db) {
    db.exec(`
      CREATE TABLE segment_translations (
        id INTEGER PRIMARY KEY,
        transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
        segment_id INTEGER NOT NULL REFERENCES segments (id),
        transcript_version INTEGER NOT NULL CHECK (transcript_version >= 1),
        source_language TEXT NOT NULL,
        target_language TEXT NOT NULL,
        engine TEXT NOT NULL,
        model_id TEXT NOT NULL,
        model_sha256 TEXT NOT NULL CHECK (length(model_sha256) = 64),
        text TEXT NOT NULL,
        confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        flags TEXT NOT NULL,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        created_at TEXT NOT NULL,
        UNIQUE (segment_id, transcript_version, target_language, model_id)
      ) STRICT;
      CREATE INDEX segment_translations_by_transcript
        ON segment_translations (transcript_id, transcript_version);
      CREATE TRIGGER segment_translations_no_update BEFORE UPDATE ON segment_translations
        BEGIN SELECT RAISE(ABORT, 'machine translations are never changed'); END;
      CREATE TRIGGER segment_translations_no_delete BEFORE DELETE ON segment_translations
        BEGIN SELECT RAISE(ABORT, 'machine translations are never deleted'); END;
    `);
  },
};

/**
 * A reviewer's corrections of segment translations, as versions beside the
 * machine's text (version 1), like those of message translations.
 */
export const segmentTranslationReviewMigration: Omit<Migration, 'version'> = {
  name: "reviewers' corrections of segment translations",
  up(db) {
    db.exec(`
      CREATE TABLE segment_translation_versions (
        segment_translation_id INTEGER NOT NULL REFERENCES segment_translations (id),
        version INTEGER NOT NULL CHECK (version >= 2),
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        created_at TEXT NOT NULL,
        PRIMARY KEY (segment_translation_id, version)
      ) STRICT;
      CREATE TRIGGER segment_translation_versions_no_update
        BEFORE UPDATE ON segment_translation_versions
        BEGIN SELECT RAISE(ABORT, 'translation versions are never changed'); END;
      CREATE TRIGGER segment_translation_versions_no_delete
        BEFORE DELETE ON segment_translation_versions
        BEGIN SELECT RAISE(ABORT, 'translation versions are never deleted'); END;
    `);
  },
};

/**
 * The English a translation went through, when it was made by two models
 * (into English, then out of it), kept for the reviewer beside the result.
 */
export const viaEnglishMigration: Omit<Migration, 'version'> = {
  name: 'the English a translation through two models went through',
  up(db) {
    db.exec(`
      ALTER TABLE translations ADD COLUMN via_text TEXT;
      ALTER TABLE segment_translations ADD COLUMN via_text TEXT;
    `);
  },
};
