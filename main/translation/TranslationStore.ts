import { ToexError } from '../errors.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';

/** A message's translation as a reader sees it: its newest version, and what made it. */
export interface MessageTranslation {
  id: number;
  messageId: number;
  from: string;
  to: string;
  engine: string;
  modelId: string;
  modelSha256: string;
  /** The newest version's text: a reviewer's correction, else the machine's. */
  text: string;
  /** 1 for the machine's text, 2 on for reviewed corrections. */
  version: number;
  /** The machine's own text, always kept. */
  machineText: string;
  confidence: number;
  flags: string[];
  /** Who made the newest correction, when there is one. */
  reviewedBy: string | null;
}

interface Row {
  id: number;
  message_id: number;
  source_language: string;
  target_language: string;
  engine: string;
  model_id: string;
  model_sha256: string;
  text: string;
  confidence: number;
  flags: string;
  version: number | null;
  reviewed_text: string | null;
  author: string | null;
}

const NEWEST = `SELECT t.*, v.version, v.text AS reviewed_text, v.author
  FROM translations t LEFT JOIN translation_versions v ON v.translation_id = t.id
    AND v.version = (SELECT max(version) FROM translation_versions WHERE translation_id = t.id)`;

function fromRow(r: Row): MessageTranslation {
  return {
    id: r.id,
    messageId: r.message_id,
    from: r.source_language,
    to: r.target_language,
    engine: r.engine,
    modelId: r.model_id,
    modelSha256: r.model_sha256,
    text: r.reviewed_text ?? r.text,
    version: r.version ?? 1,
    machineText: r.text,
    confidence: r.confidence,
    flags: JSON.parse(r.flags) as string[],
    reviewedBy: r.author,
  };
}

/** The translations of these messages, by message id, oldest translation first. */
export function translationsOf(
  db: Db,
  messageIds: readonly number[],
): Map<number, MessageTranslation[]> {
  const out = new Map<number, MessageTranslation[]>();
  if (messageIds.length === 0) return out;
  const rows = db
    .prepare(
      `${NEWEST} WHERE t.message_id IN (SELECT value FROM json_each(?)) ORDER BY t.message_id, t.id`,
    )
    .all(JSON.stringify(messageIds)) as Row[];
  for (const r of rows) {
    const list = out.get(r.message_id) ?? [];
    list.push(fromRow(r));
    out.set(r.message_id, list);
  }
  return out;
}

export function getTranslation(db: Db, id: number): MessageTranslation {
  const row = db.prepare(`${NEWEST} WHERE t.id = ?`).get(id) as Row | undefined;
  if (!row) throw new ToexError('not-found', `no translation ${id} in this case`);
  return fromRow(row);
}

/**
 * Saves a reviewer's correction as the translation's next version, and puts
 * it in the search index in place of the version before. `basedOn` is the
 * version the reviewer corrected: a correction of an older one than the
 * newest is refused, so two reviewers never silently undo each other.
 */
export function correctTranslation(
  db: Db,
  change: { id: number; text: string; reason: string; author: string; basedOn?: number },
): MessageTranslation {
  const text = change.text.trim();
  if (!text) throw new ToexError('bad-input', 'a corrected translation cannot be empty');
  if (!change.reason.trim()) {
    throw new ToexError('bad-input', 'say why the translation is corrected (--reason)');
  }
  return writeTransaction(db, () => {
    const before = getTranslation(db, change.id);
    if (change.basedOn !== undefined && change.basedOn !== before.version) {
      throw new ToexError(
        'conflict',
        `translation ${change.id} is at version ${before.version}, not ${change.basedOn}: read it again before correcting it`,
      );
    }
    if (text === before.text) {
      throw new ToexError('bad-input', 'the correction is the text as it stands');
    }
    db.prepare(
      `INSERT INTO translation_versions (translation_id, version, text, author, reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      change.id,
      before.version + 1,
      text,
      change.author,
      change.reason.trim(),
      new Date().toISOString(),
    );
    db.prepare('DELETE FROM translations_fts WHERE rowid = ?').run(change.id);
    db.prepare('INSERT INTO translations_fts (rowid, text) VALUES (?, ?)').run(change.id, text);
    return getTranslation(db, change.id);
  });
}

/** A segment's machine translation, of the text it had at one version of its transcript. */
export interface SegmentTranslation {
  segmentId: number;
  from: string;
  to: string;
  modelId: string;
  text: string;
  confidence: number;
}

/** The translations of a transcript's segments as they read at `version`, by segment id. */
export function segmentTranslations(
  db: Db,
  transcriptId: number,
  version: number,
): Map<number, SegmentTranslation[]> {
  const rows = db
    .prepare(
      `SELECT segment_id AS segmentId, source_language AS "from", target_language AS "to",
         model_id AS modelId, text, confidence
       FROM segment_translations WHERE transcript_id = ? AND transcript_version = ?
       ORDER BY segment_id, id`,
    )
    .all(transcriptId, version) as SegmentTranslation[];
  const out = new Map<number, SegmentTranslation[]>();
  for (const r of rows) out.set(r.segmentId, [...(out.get(r.segmentId) ?? []), r]);
  return out;
}
