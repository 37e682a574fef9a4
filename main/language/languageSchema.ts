import type { Migration } from '../store/migrate.js';

/**
 * The language of each message, as a detector told it. Not evidence: an aid
 * for finding what needs translating, so a newer detector's answer replaces
 * an older one's; each row names the detector and the job that wrote it.
 */
export const languageMigration: Omit<Migration, 'version'> = {
  name: 'languages of messages',
  up(db) {
    db.exec(`
      CREATE TABLE message_languages (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id),
        -- ISO 639-1 (ro, sq), ar-Latn for Arabic in Latin letters, und when none could be told.
        language TEXT NOT NULL,
        confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        reliable INTEGER NOT NULL CHECK (reliable IN (0, 1)),
        detector TEXT NOT NULL,
        job_id TEXT NOT NULL REFERENCES jobs (id)
      ) STRICT;
      CREATE INDEX message_languages_by_language ON message_languages (language, message_id);
    `);
  },
};
