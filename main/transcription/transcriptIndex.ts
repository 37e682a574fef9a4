import type { Db } from '../store/EncryptedDatabase.js';

/**
 * The words of a transcript as its newest version reads, for the full-text
 * index: each segment's latest corrected text, or the machine's where nobody
 * corrected it, in time order.
 */
function currentText(db: Db, transcriptId: number): string {
  const rows = db
    .prepare(
      `SELECT coalesce(
           (SELECT e.text FROM segment_edits e
            WHERE e.transcript_id = s.transcript_id AND e.segment_id = s.id AND e.text IS NOT NULL
            ORDER BY e.version DESC LIMIT 1),
           s.text) AS text
       FROM segments s WHERE s.transcript_id = ? ORDER BY s.start_ms, s.id`,
    )
    .all(transcriptId) as { text: string }[];
  return rows
    .map((r) => r.text.trim())
    .filter(Boolean)
    .join(' ');
}

/**
 * Puts a finished transcript's current words in `transcript_fts` (rowid =
 * transcript id), replacing what an earlier version put there. Run it in the
 * transaction that finishes or corrects the transcript.
 */
export function indexTranscript(db: Db, transcriptId: number): void {
  db.prepare('DELETE FROM transcript_fts WHERE rowid = ?').run(transcriptId);
  db.prepare('INSERT INTO transcript_fts (rowid, text) VALUES (?, ?)').run(
    transcriptId,
    currentText(db, transcriptId),
  );
}
