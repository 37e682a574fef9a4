import { AUDIT_SCHEMA } from '../audit/AuditLog.js';
import type { Migration } from '../store/migrate.js';

/** The workstation database: settings, the case register and its own audit log. */
export const workstationMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'settings, case register, audit',
    up(db) {
      db.exec(`
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE cases (
          id TEXT PRIMARY KEY,
          reference TEXT NOT NULL UNIQUE COLLATE NOCASE,
          title TEXT NOT NULL,
          owner TEXT NOT NULL,
          classification TEXT NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
          status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
          key_wrapped TEXT NOT NULL,
          created_by TEXT NOT NULL,
          created_at TEXT NOT NULL,
          closed_at TEXT,
          audit_seq INTEGER NOT NULL DEFAULT 0,
          audit_hash TEXT
        ) STRICT;
        ${AUDIT_SCHEMA}
      `);
    },
  },
  {
    version: 2,
    name: 'engine slots',
    up(db) {
      // One row per running model engine on this machine, whichever process
      // runs it: the limit on engines is counted here, across processes.
      db.exec(`
        CREATE TABLE engine_slots (
          id INTEGER PRIMARY KEY,
          job_id TEXT NOT NULL,
          pid INTEGER NOT NULL,
          taken_at TEXT NOT NULL,
          heartbeat_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];
