import { AUDIT_SCHEMA } from '../audit/AuditLog.js';
import {
  callFlagsMigration,
  ingestMigration,
  historyMigration,
  listOrderMigration,
  quoteMigration,
  reportNotesMigration,
} from '../ingest/ingestSchema.js';
import { voiceNoteMigration } from '../ingest/voiceNoteSchema.js';
import { languageMigration } from '../language/languageSchema.js';
import {
  segmentTranslationMigration,
  segmentTranslationReviewMigration,
  translationMigration,
  viaEnglishMigration,
} from '../translation/translationSchema.js';
import type { Migration } from '../store/migrate.js';

/** A case's own database: its evidence register, jobs and audit log. */
export const caseMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'case meta, evidence, jobs, evidence checks, audit',
    up(db) {
      db.exec(`
        CREATE TABLE case_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

        CREATE TABLE evidence (
          id INTEGER PRIMARY KEY,
          exhibit_ref TEXT,
          original_name TEXT NOT NULL,
          original_path TEXT NOT NULL,
          size INTEGER NOT NULL CHECK (size >= 0),
          sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
          md5 TEXT NOT NULL CHECK (length(md5) = 32),
          stored_path TEXT NOT NULL,
          source_mtime TEXT,
          imported_by TEXT NOT NULL,
          imported_at TEXT NOT NULL
        ) STRICT;
        CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
          BEGIN SELECT RAISE(ABORT, 'evidence records are never changed'); END;
        CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
          BEGIN SELECT RAISE(ABORT, 'evidence records are never deleted'); END;

        CREATE TABLE jobs (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
          params TEXT NOT NULL,
          progress REAL NOT NULL DEFAULT 0,
          stage TEXT,
          checkpoint TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          max_attempts INTEGER NOT NULL DEFAULT 3,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          owner_pid INTEGER,
          worker_pid INTEGER,
          heartbeat_at TEXT,
          error_kind TEXT,
          error_message TEXT,
          result TEXT,
          created_by TEXT NOT NULL,
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT
        ) STRICT;
        CREATE INDEX jobs_state ON jobs (state);

        CREATE TABLE evidence_checks (
          id INTEGER PRIMARY KEY,
          job_id TEXT NOT NULL REFERENCES jobs (id),
          evidence_id INTEGER NOT NULL REFERENCES evidence (id),
          status TEXT NOT NULL CHECK (status IN ('ok', 'mismatch', 'missing', 'unreadable', 'replaced', 'unprotected')),
          size INTEGER,
          sha256 TEXT,
          md5 TEXT,
          detail TEXT,
          checked_at TEXT NOT NULL,
          UNIQUE (job_id, evidence_id)
        ) STRICT;

        ${AUDIT_SCHEMA}
      `);
    },
  },
  {
    version: 2,
    name: 'transcripts and their segments',
    up(db) {
      db.exec(`
        CREATE TABLE transcripts (
          id INTEGER PRIMARY KEY,
          evidence_id INTEGER NOT NULL REFERENCES evidence (id),
          job_id TEXT NOT NULL UNIQUE REFERENCES jobs (id),
          engine TEXT NOT NULL,
          model_id TEXT NOT NULL,
          model_sha256 TEXT NOT NULL CHECK (length(model_sha256) = 64),
          language TEXT,
          duration_ms INTEGER NOT NULL DEFAULT 0,
          created_by TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;

        -- Each transcribed stretch of speech, with the language the model heard
        -- in it; the transcript's language is the one heard longest.
        CREATE TABLE transcript_chunks (
          transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          language TEXT NOT NULL,
          PRIMARY KEY (transcript_id, start_ms)
        ) STRICT;

        -- The machine's segments, never changed (rebuilt by version 3).
        CREATE TABLE segments (
          id INTEGER PRIMARY KEY,
          transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
          start_ms INTEGER NOT NULL CHECK (start_ms >= 0),
          end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),
          text TEXT NOT NULL,
          words TEXT NOT NULL,
          avg_logprob REAL NOT NULL,
          flags TEXT NOT NULL,
          chunk_start_ms INTEGER NOT NULL,
          UNIQUE (transcript_id, start_ms, end_ms, text)
        ) STRICT;
        CREATE INDEX segments_by_time ON segments (transcript_id, start_ms);
        CREATE TRIGGER segments_no_update BEFORE UPDATE ON segments
          BEGIN SELECT RAISE(ABORT, 'machine segments are never changed'); END;
      `);
    },
  },
  {
    version: 3,
    name: 'repeated segments kept, channels and speakers, transcript versions and sign-off',
    up(db) {
      db.exec(`
        -- The machine's segments again, without the old UNIQUE over start, end
        -- and text, which silently merged a speaker saying the same short
        -- answer twice. Resume is exact through the job's checkpoint instead.
        CREATE TABLE segments_v3 (
          id INTEGER PRIMARY KEY,
          transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
          start_ms INTEGER NOT NULL CHECK (start_ms >= 0),
          end_ms INTEGER NOT NULL CHECK (end_ms >= start_ms),
          text TEXT NOT NULL,
          words TEXT NOT NULL,
          avg_logprob REAL NOT NULL,
          flags TEXT NOT NULL,
          chunk_start_ms INTEGER NOT NULL,
          -- The recording's channel the segment was heard on (1, 2...), when
          -- the channels were transcribed one by one; null for a mixed-down track.
          channel INTEGER CHECK (channel >= 1),
          -- What the machine suggests as speaker (a channel label, a speaker
          -- cluster): only a suggestion until an officer labels the segment.
          speaker_suggestion TEXT
        ) STRICT;
        INSERT INTO segments_v3 (id, transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
          SELECT id, transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms FROM segments;
        DROP TABLE segments;
        ALTER TABLE segments_v3 RENAME TO segments;
        CREATE INDEX segments_by_time ON segments (transcript_id, start_ms);
        CREATE TRIGGER segments_no_update BEFORE UPDATE ON segments
          BEGIN SELECT RAISE(ABORT, 'machine segments are never changed'); END;

        -- How many channels the recording has (ffprobe's count), once probed.
        ALTER TABLE transcripts ADD COLUMN channels INTEGER CHECK (channels >= 1);

        -- Chunks by channel too: two channels' speech can start at the same time.
        -- Channel 0 is the mixed-down track.
        CREATE TABLE transcript_chunks_v3 (
          transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
          channel INTEGER NOT NULL DEFAULT 0 CHECK (channel >= 0),
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          language TEXT NOT NULL,
          PRIMARY KEY (transcript_id, channel, start_ms)
        ) STRICT;
        INSERT INTO transcript_chunks_v3 (transcript_id, start_ms, end_ms, language)
          SELECT transcript_id, start_ms, end_ms, language FROM transcript_chunks;
        DROP TABLE transcript_chunks;
        ALTER TABLE transcript_chunks_v3 RENAME TO transcript_chunks;
        CREATE TRIGGER segments_no_delete BEFORE DELETE ON segments
          BEGIN SELECT RAISE(ABORT, 'machine segments are never deleted'); END;

        -- Version 1 of every transcript is the machine's text; each saved
        -- correction is the next version, with who made it, when and why.
        CREATE TABLE transcript_versions (
          transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
          version INTEGER NOT NULL CHECK (version >= 2),
          author TEXT NOT NULL,
          created_at TEXT NOT NULL,
          reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
          PRIMARY KEY (transcript_id, version)
        ) STRICT;

        -- What one version changed: a segment's text, its speaker, or both
        -- (null where that version left it as it was).
        CREATE TABLE segment_edits (
          transcript_id INTEGER NOT NULL,
          version INTEGER NOT NULL,
          segment_id INTEGER NOT NULL REFERENCES segments (id),
          text TEXT,
          speaker TEXT,
          CHECK (text IS NOT NULL OR speaker IS NOT NULL),
          PRIMARY KEY (transcript_id, version, segment_id),
          FOREIGN KEY (transcript_id, version) REFERENCES transcript_versions (transcript_id, version)
        ) STRICT;
        CREATE INDEX segment_edits_by_segment ON segment_edits (segment_id, version);

        -- An officer's statement that one version was checked against the audio.
        CREATE TABLE transcript_signoffs (
          id INTEGER PRIMARY KEY,
          transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
          version INTEGER NOT NULL CHECK (version >= 1),
          signed_by TEXT NOT NULL,
          signed_at TEXT NOT NULL,
          statement TEXT NOT NULL
        ) STRICT;

        CREATE TRIGGER transcript_versions_no_update BEFORE UPDATE ON transcript_versions
          BEGIN SELECT RAISE(ABORT, 'transcript versions are never changed'); END;
        CREATE TRIGGER transcript_versions_no_delete BEFORE DELETE ON transcript_versions
          BEGIN SELECT RAISE(ABORT, 'transcript versions are never deleted'); END;
        CREATE TRIGGER segment_edits_no_update BEFORE UPDATE ON segment_edits
          BEGIN SELECT RAISE(ABORT, 'transcript edits are never changed'); END;
        CREATE TRIGGER segment_edits_no_delete BEFORE DELETE ON segment_edits
          BEGIN SELECT RAISE(ABORT, 'transcript edits are never deleted'); END;
        CREATE TRIGGER transcript_signoffs_no_update BEFORE UPDATE ON transcript_signoffs
          BEGIN SELECT RAISE(ABORT, 'sign-offs are never changed'); END;
        CREATE TRIGGER transcript_signoffs_no_delete BEFORE DELETE ON transcript_signoffs
          BEGIN SELECT RAISE(ABORT, 'sign-offs are never deleted'); END;
      `);
    },
  },
  {
    version: 4,
    name: 'jobs can be paused',
    up(db) {
      // SQLite cannot change a CHECK in place, so the jobs table is rebuilt.
      // Transcripts and evidence checks point at it: with the checks deferred,
      // the rows copied back into the new table satisfy them again before commit.
      db.pragma('defer_foreign_keys = ON');
      db.exec(`
        CREATE TEMP TABLE jobs_before_v4 AS SELECT * FROM jobs;
        DROP TABLE jobs;
        CREATE TABLE jobs (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          state TEXT NOT NULL
            CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
          params TEXT NOT NULL,
          progress REAL NOT NULL DEFAULT 0,
          stage TEXT,
          checkpoint TEXT,
          attempts INTEGER NOT NULL DEFAULT 0,
          max_attempts INTEGER NOT NULL DEFAULT 3,
          cancel_requested INTEGER NOT NULL DEFAULT 0,
          owner_pid INTEGER,
          worker_pid INTEGER,
          heartbeat_at TEXT,
          error_kind TEXT,
          error_message TEXT,
          result TEXT,
          created_by TEXT NOT NULL,
          created_at TEXT NOT NULL,
          started_at TEXT,
          finished_at TEXT,
          -- Set by "toex jobs pause" from any process; the owner stops the
          -- worker at the next checkpoint and the job becomes paused.
          pause_requested INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        INSERT INTO jobs (id, kind, state, params, progress, stage, checkpoint, attempts,
            max_attempts, cancel_requested, owner_pid, worker_pid, heartbeat_at, error_kind,
            error_message, result, created_by, created_at, started_at, finished_at)
          SELECT id, kind, state, params, progress, stage, checkpoint, attempts, max_attempts,
            cancel_requested, owner_pid, worker_pid, heartbeat_at, error_kind, error_message,
            result, created_by, created_at, started_at, finished_at
          FROM jobs_before_v4;
        DROP TABLE jobs_before_v4;
        CREATE INDEX jobs_state ON jobs (state);
      `);
    },
  },
  {
    version: 5,
    name: 'suggested speakers from voice clustering',
    up(db) {
      db.exec(`
        -- Each segment's voice as a speaker-separation job measured it (256
        -- float32, or null for too little audio): the job's checkpoint, so a
        -- resumed job embeds only what is left.
        CREATE TABLE speaker_embeddings (
          job_id TEXT NOT NULL REFERENCES jobs (id),
          segment_id INTEGER NOT NULL REFERENCES segments (id),
          embedding BLOB,
          PRIMARY KEY (job_id, segment_id)
        ) STRICT;

        -- The machine's guess at who spoke each segment, by grouping voices:
        -- only a suggestion, never an officer's label. A newer job's rows
        -- supersede an older job's; none is changed or deleted.
        CREATE TABLE speaker_suggestions (
          job_id TEXT NOT NULL REFERENCES jobs (id),
          transcript_id INTEGER NOT NULL REFERENCES transcripts (id),
          segment_id INTEGER NOT NULL REFERENCES segments (id),
          label TEXT NOT NULL,
          -- Cosine similarity to its group's voice; null for a segment with no audio of its own.
          similarity REAL,
          -- 1 when the segment's voice took part in the grouping, 0 when placed after it.
          voted INTEGER NOT NULL CHECK (voted IN (0, 1)),
          model_id TEXT NOT NULL,
          model_sha256 TEXT NOT NULL CHECK (length(model_sha256) = 64),
          created_at TEXT NOT NULL,
          PRIMARY KEY (job_id, segment_id)
        ) STRICT;
        CREATE INDEX speaker_suggestions_by_transcript ON speaker_suggestions (transcript_id);
        CREATE TRIGGER speaker_suggestions_no_update BEFORE UPDATE ON speaker_suggestions
          BEGIN SELECT RAISE(ABORT, 'speaker suggestions are never changed'); END;
        CREATE TRIGGER speaker_suggestions_no_delete BEFORE DELETE ON speaker_suggestions
          BEGIN SELECT RAISE(ABORT, 'speaker suggestions are never deleted'); END;
      `);
    },
  },
  { version: 6, ...ingestMigration },
  { version: 7, ...voiceNoteMigration },
  { version: 8, ...callFlagsMigration },
  { version: 9, ...quoteMigration },
  { version: 10, ...reportNotesMigration },
  { version: 11, ...historyMigration },
  { version: 12, ...languageMigration },
  { version: 13, ...translationMigration },
  { version: 14, ...segmentTranslationMigration },
  { version: 15, ...segmentTranslationReviewMigration },
  { version: 16, ...viaEnglishMigration },
  { version: 17, ...listOrderMigration },
];
