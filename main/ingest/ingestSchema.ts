import type { Migration } from '../store/migrate.js';

/**
 * The normalised messages of every extraction in a case. Each row keeps the
 * evidence item it came from, a key stable across ingests of that item (so a
 * second ingest, or a resumed one, adds nothing twice) and a pointer back to
 * where in the item it was read. Rows are never changed: the evidence is not.
 */
export const ingestMigration: Omit<Migration, 'version'> = {
  name: 'extraction ingest: participants, threads, messages, calls, contacts, problems, search',
  up(db) {
    db.exec(`
      CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        key TEXT NOT NULL,
        identifier TEXT NOT NULL,
        raw TEXT NOT NULL,
        name TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'handle')),
        source TEXT NOT NULL,
        UNIQUE (evidence_id, key)
      ) STRICT;
      CREATE INDEX participants_by_identifier ON participants (identifier);

      CREATE TABLE threads (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        key TEXT NOT NULL,
        service TEXT NOT NULL,
        title TEXT,
        is_group INTEGER NOT NULL CHECK (is_group IN (0, 1)),
        source TEXT NOT NULL,
        UNIQUE (evidence_id, key)
      ) STRICT;

      CREATE TABLE thread_participants (
        thread_id INTEGER NOT NULL REFERENCES threads (id),
        participant_id INTEGER NOT NULL REFERENCES participants (id),
        PRIMARY KEY (thread_id, participant_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        key TEXT NOT NULL,
        thread_id INTEGER NOT NULL REFERENCES threads (id),
        sender_id INTEGER REFERENCES participants (id),
        direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'unknown')),
        -- UTC, ISO 8601 to the millisecond, and the same moment in Unix ms for ranges.
        sent_at TEXT,
        sent_at_ms INTEGER,
        utc_offset_minutes INTEGER,
        body TEXT,
        deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
        flags TEXT NOT NULL,
        source TEXT NOT NULL,
        UNIQUE (evidence_id, key)
      ) STRICT;
      CREATE INDEX messages_by_thread ON messages (thread_id, sent_at_ms);
      CREATE INDEX messages_by_time ON messages (sent_at_ms);
      CREATE INDEX messages_by_sender ON messages (sender_id, sent_at_ms);

      CREATE TABLE attachments (
        message_id INTEGER NOT NULL REFERENCES messages (id),
        ordinal INTEGER NOT NULL,
        name TEXT,
        mime TEXT,
        size INTEGER,
        path TEXT,
        PRIMARY KEY (message_id, ordinal)
      ) STRICT;

      CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        key TEXT NOT NULL,
        participant_id INTEGER REFERENCES participants (id),
        direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'missed', 'rejected', 'unknown')),
        started_at TEXT,
        started_at_ms INTEGER,
        utc_offset_minutes INTEGER,
        duration_seconds INTEGER,
        deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
        source TEXT NOT NULL,
        UNIQUE (evidence_id, key)
      ) STRICT;

      CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        key TEXT NOT NULL,
        name TEXT,
        identifiers TEXT NOT NULL,
        source TEXT NOT NULL,
        UNIQUE (evidence_id, key)
      ) STRICT;

      CREATE TABLE ingest_problems (
        id INTEGER PRIMARY KEY,
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        key TEXT NOT NULL,
        message TEXT NOT NULL,
        source TEXT NOT NULL,
        UNIQUE (evidence_id, key)
      ) STRICT;

      -- What was read from each item, and how: one row per finished ingest.
      CREATE TABLE ingests (
        job_id TEXT PRIMARY KEY REFERENCES jobs (id),
        evidence_id INTEGER NOT NULL REFERENCES evidence (id),
        format TEXT,
        format_label TEXT
      ) STRICT;

      -- Words folded to their letters (remove_diacritics 2: "Ștefan" finds "stefan"),
      -- any script; the trigram-free unicode61 tokenizer splits on Unicode word breaks.
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        body, content = 'messages', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.body IS NOT NULL
        BEGIN INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END;

      ${['participants', 'threads', 'messages', 'calls', 'contacts', 'attachments']
        .map(
          (t) => `
      CREATE TRIGGER ${t}_no_update BEFORE UPDATE ON ${t}
        BEGIN SELECT RAISE(ABORT, 'extracted records are never changed'); END;
      CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t}
        BEGIN SELECT RAISE(ABORT, 'extracted records are never deleted'); END;`,
        )
        .join('\n')}
    `);
  },
};

/**
 * What a call's direction cannot say (a voicemail, a blocked call, a number
 * withheld), and a contact the phone itself marks deleted. Rows stored before
 * this had neither: they keep no flags and are not deleted.
 */
export const callFlagsMigration: Omit<Migration, 'version'> = {
  name: 'extraction ingest: call flags, deleted contacts',
  up(db) {
    db.exec(`
      ALTER TABLE calls ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE contacts ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0
        CHECK (deleted IN (0, 1));
    `);
  },
};

/**
 * A reply's quote: the key (in the same item) of the message it answers when
 * the source says which, and the text the source copied into the reply, as
 * JSON; null on a message that quotes nothing.
 */
export const quoteMigration: Omit<Migration, 'version'> = {
  name: 'extraction ingest: quoted replies',
  up(db) {
    db.exec('ALTER TABLE messages ADD COLUMN quote TEXT');
  },
};

/** Lines of the ingest report that say what was read, told apart from the problems. */
export const reportNotesMigration: Omit<Migration, 'version'> = {
  name: 'extraction ingest: notes in the ingest report',
  up(db) {
    db.exec(
      'ALTER TABLE ingest_problems ADD COLUMN note INTEGER NOT NULL DEFAULT 0 CHECK (note IN (0, 1))',
    );
  },
};

/** Every version of an edited message's text the source keeps (iOS 16 edits), as JSON. */
export const historyMigration: Omit<Migration, 'version'> = {
  name: 'extraction ingest: edit history',
  up(db) {
    db.exec('ALTER TABLE messages ADD COLUMN history TEXT');
  },
};

/**
 * The messages in the order every list shows them (dated first, by time,
 * then by id), so that a page anywhere in a million is found by walking an
 * index rather than by sorting the whole table.
 */
export const listOrderMigration: Omit<Migration, 'version'> = {
  name: 'extraction ingest: messages in list order',
  up(db) {
    db.exec('CREATE INDEX messages_in_list_order ON messages (sent_at_ms IS NULL, sent_at_ms)');
  },
};
