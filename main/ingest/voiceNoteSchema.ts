import type { Migration } from '../store/migrate.js';
import { indexTranscript } from '../transcription/transcriptIndex.js';

/**
 * Voice notes: an audio attachment of an extracted message, copied out of its
 * extraction into the case's evidence as an item of its own (so it is hashed,
 * verified and transcribed like any recording) and linked back to the
 * message. Transcripts get a full-text index so a voice note's words are
 * found by the same search as the messages'.
 */
export const voiceNoteMigration: Omit<Migration, 'version'> = {
  name: 'voice notes linked to their messages, transcripts in the full-text index',
  up(db) {
    db.exec(`
      -- An item copied out of another: which one, and from where inside it.
      CREATE TABLE evidence_derivations (
        evidence_id INTEGER PRIMARY KEY REFERENCES evidence (id),
        parent_id INTEGER NOT NULL REFERENCES evidence (id),
        inner_path TEXT NOT NULL,
        derived_by TEXT NOT NULL,
        derived_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE voice_notes (
        message_id INTEGER NOT NULL,
        ordinal INTEGER NOT NULL,
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        linked_at TEXT NOT NULL,
        PRIMARY KEY (message_id, ordinal),
        FOREIGN KEY (message_id, ordinal) REFERENCES attachments (message_id, ordinal)
      ) STRICT;
      CREATE INDEX voice_notes_by_evidence ON voice_notes (evidence_id);

      CREATE VIRTUAL TABLE transcript_fts USING fts5 (
        text, tokenize = 'unicode61 remove_diacritics 2'
      );
      ${['evidence_derivations', 'voice_notes']
        .map(
          (t) => `
      CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t}
        BEGIN SELECT RAISE(ABORT, 'voice note links are never changed'); END;
      CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t}
        BEGIN SELECT RAISE(ABORT, 'voice note links are never deleted'); END;`,
        )
        .join('\n')}
    `);
    const finished = db
      .prepare(
        `SELECT t.id FROM transcripts t JOIN jobs j ON j.id = t.job_id WHERE j.state = 'done'`,
      )
      .all() as { id: number }[];
    for (const t of finished) indexTranscript(db, t.id);
  },
};
