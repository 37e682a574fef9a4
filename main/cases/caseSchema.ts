import { AUDIT_SCHEMA } from '../audit/AuditLog.js';
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
];
