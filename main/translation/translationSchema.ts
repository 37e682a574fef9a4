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
