import type { Db } from '../store/EncryptedDatabase.js';
import type { IngestRecord, SourceRef } from '../../workers/ingest/records.js';

export interface IngestCounts {
  participants: number;
  threads: number;
  messages: number;
  calls: number;
  contacts: number;
  problems: number;
  /** Lines of the ingest report that say what was read rather than what went wrong. */
  notes: number;
}

const source = (ref: SourceRef) => JSON.stringify(ref);

/**
 * Stores parsed records. Every insert is keyed by (evidence item, record key)
 * and ignored when the key is there already, which is what makes a second
 * ingest of the same item, or a resumed one, add nothing twice.
 */
export class IngestStore {
  constructor(private readonly db: Db) {}

  /** Stores one batch; the caller holds the transaction (with the job's checkpoint). */
  apply(evidenceId: number, records: readonly IngestRecord[]): void {
    const db = this.db;
    const idOf = (table: string) => {
      const stmt = db.prepare(`SELECT id FROM ${table} WHERE evidence_id = ? AND key = ?`);
      return (key: string) => (stmt.get(evidenceId, key) as { id: number } | undefined)?.id;
    };
    const participantId = idOf('participants');
    const threadId = idOf('threads');
    const messageId = idOf('messages');

    const insertParticipant = db.prepare(
      `INSERT OR IGNORE INTO participants (evidence_id, key, identifier, raw, name, kind, source)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertThread = db.prepare(
      `INSERT OR IGNORE INTO threads (evidence_id, key, service, title, is_group, source) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const link = db.prepare(
      'INSERT OR IGNORE INTO thread_participants (thread_id, participant_id) VALUES (?, ?)',
    );
    const insertMessage = db.prepare(
      `INSERT OR IGNORE INTO messages (evidence_id, key, thread_id, sender_id, direction, sent_at, sent_at_ms,
         utc_offset_minutes, body, deleted, flags, source, quote, history)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertAttachment = db.prepare(
      'INSERT OR IGNORE INTO attachments (message_id, ordinal, name, mime, size, path) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertCall = db.prepare(
      `INSERT OR IGNORE INTO calls (evidence_id, key, participant_id, direction, started_at, started_at_ms,
         utc_offset_minutes, duration_seconds, deleted, flags, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertContact = db.prepare(
      `INSERT OR IGNORE INTO contacts (evidence_id, key, name, identifiers, deleted, source)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    const insertProblem = db.prepare(
      'INSERT OR IGNORE INTO ingest_problems (evidence_id, key, message, source, note) VALUES (?, ?, ?, ?, ?)',
    );
    const ms = (utc: string | undefined) => (utc === undefined ? null : Date.parse(utc));
    const optional = (key: string | null) => (key === null ? null : (participantId(key) ?? null));

    for (const r of records) {
      switch (r.type) {
        case 'participant':
          insertParticipant.run(
            evidenceId,
            r.key,
            r.identifier,
            r.raw,
            r.name,
            r.kind,
            source(r.source),
          );
          break;
        case 'thread': {
          insertThread.run(
            evidenceId,
            r.key,
            r.service,
            r.title,
            r.isGroup ? 1 : 0,
            source(r.source),
          );
          const id = threadId(r.key)!;
          for (const p of r.participantKeys) {
            const pid = participantId(p);
            if (pid !== undefined) link.run(id, pid);
          }
          break;
        }
        case 'message': {
          let thread = threadId(r.threadKey);
          if (thread === undefined) {
            // The parser named a thread it never described: keep the message, under a thread of its own.
            insertThread.run(evidenceId, r.threadKey, 'other', null, 0, source(r.source));
            thread = threadId(r.threadKey)!;
          }
          const result = insertMessage.run(
            evidenceId,
            r.key,
            thread,
            optional(r.senderKey),
            r.direction,
            r.sentAt?.utc ?? null,
            ms(r.sentAt?.utc),
            r.sentAt?.offsetMinutes ?? null,
            r.body,
            r.deleted ? 1 : 0,
            JSON.stringify(r.flags),
            source(r.source),
            r.quote ? JSON.stringify(r.quote) : null,
            r.history?.length ? JSON.stringify(r.history) : null,
          );
          if (result.changes === 0) break;
          const id = messageId(r.key)!;
          r.attachments.forEach((a, i) =>
            insertAttachment.run(id, i + 1, a.name, a.mime, a.size, a.path),
          );
          break;
        }
        case 'call':
          insertCall.run(
            evidenceId,
            r.key,
            optional(r.participantKey),
            r.direction,
            r.startedAt?.utc ?? null,
            ms(r.startedAt?.utc),
            r.startedAt?.offsetMinutes ?? null,
            r.durationSeconds,
            r.deleted ? 1 : 0,
            JSON.stringify(r.flags ?? []),
            source(r.source),
          );
          break;
        case 'contact':
          insertContact.run(
            evidenceId,
            r.key,
            r.name,
            JSON.stringify(r.identifiers),
            r.deleted ? 1 : 0,
            source(r.source),
          );
          break;
        case 'problem':
          insertProblem.run(evidenceId, r.key, r.message, source(r.source), r.note ? 1 : 0);
          break;
      }
    }
  }

  counts(evidenceId: number): IngestCounts {
    const count = (table: string, where = '') =>
      (
        this.db
          .prepare(`SELECT count(*) AS n FROM ${table} WHERE evidence_id = ? ${where}`)
          .get(evidenceId) as {
          n: number;
        }
      ).n;
    return {
      participants: count('participants'),
      threads: count('threads'),
      messages: count('messages'),
      calls: count('calls'),
      contacts: count('contacts'),
      problems: count('ingest_problems', 'AND note = 0'),
      notes: count('ingest_problems', 'AND note = 1'),
    };
  }
}

/** One line of an item's ingest report: what was read, or what could not be. */
export interface ReportLine {
  note: boolean;
  message: string;
  source: SourceRef;
}

/** The first `limit` lines of an item's ingest report, in the order they were read. */
export function ingestReport(db: Db, evidenceId: number, limit: number): ReportLine[] {
  return (
    db
      .prepare(
        'SELECT note, message, source FROM ingest_problems WHERE evidence_id = ? ORDER BY id LIMIT ?',
      )
      .all(evidenceId, limit) as { note: number; message: string; source: string }[]
  ).map((r) => ({
    note: r.note === 1,
    message: r.message,
    source: JSON.parse(r.source) as SourceRef,
  }));
}
