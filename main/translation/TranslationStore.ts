import { ToexError } from '../errors.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';

const FLAG_WORDS: Record<string, string> = {
  truncated: "cut at the model's length limit",
  unreadable: 'mostly characters the model does not know: a guess, however fluent',
};

/** A translation's flags as a reader is told them, each after "; ", or "" for none. */
export function flagWords(flags: readonly string[]): string {
  return flags.map((f) => `; ${FLAG_WORDS[f] ?? f}`).join('');
}

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
  /** Through two models: the English the first one wrote, which the second translated. */
  via: string | null;
}

/** The columns every translation has, a message's or a segment's, with its newest review. */
interface MadeRow {
  id: number;
  source_language: string;
  target_language: string;
  model_id: string;
  text: string;
  confidence: number;
  flags: string;
  version: number | null;
  reviewed_text: string | null;
  author: string | null;
  via_text: string | null;
}

interface Row extends MadeRow {
  message_id: number;
  engine: string;
  model_sha256: string;
}

/** What every translation says of itself: languages, model, its newest text and who reviewed it. */
function made(r: MadeRow) {
  return {
    id: r.id,
    from: r.source_language,
    to: r.target_language,
    modelId: r.model_id,
    text: r.reviewed_text ?? r.text,
    version: r.version ?? 1,
    machineText: r.text,
    confidence: r.confidence,
    flags: JSON.parse(r.flags) as string[],
    reviewedBy: r.author,
    via: r.via_text,
  };
}

/** Where each kind of translation and its reviewed versions are kept. */
const KINDS = {
  message: { table: 'translations', versions: 'translation_versions', key: 'translation_id' },
  segment: {
    table: 'segment_translations',
    versions: 'segment_translation_versions',
    key: 'segment_translation_id',
  },
} as const;
type Kind = keyof typeof KINDS;

/** Each translation of `kind` with its newest reviewed version, when it has one. */
function newest(kind: Kind): string {
  const { table, versions, key } = KINDS[kind];
  return `SELECT t.*, v.version, v.text AS reviewed_text, v.author
    FROM ${table} t LEFT JOIN ${versions} v ON v.${key} = t.id
      AND v.version = (SELECT max(version) FROM ${versions} WHERE ${key} = t.id)`;
}

function fromRow(r: Row): MessageTranslation {
  return { ...made(r), messageId: r.message_id, engine: r.engine, modelSha256: r.model_sha256 };
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
      `${newest('message')} WHERE t.message_id IN (SELECT value FROM json_each(?)) ORDER BY t.message_id, t.id`,
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
  const row = db.prepare(`${newest('message')} WHERE t.id = ?`).get(id) as Row | undefined;
  if (!row) throw new ToexError('not-found', `no translation ${id} in this case`);
  return fromRow(row);
}

/**
 * Adds a reviewer's correction of translation `change.id` of `kind` as its
 * next version, and returns the corrected text. `basedOn` is the version the
 * reviewer corrected: a correction of an older one than the newest is
 * refused, so two reviewers never silently undo each other.
 */
function addVersion(
  db: Db,
  kind: Kind,
  change: { id: number; text: string; reason: string; author: string; basedOn?: number },
  before: { version: number; text: string },
): string {
  const text = change.text.trim();
  if (!text) throw new ToexError('bad-input', 'a corrected translation cannot be empty');
  if (!change.reason.trim()) {
    throw new ToexError('bad-input', 'say why the translation is corrected (--reason)');
  }
  if (change.basedOn !== undefined && change.basedOn !== before.version) {
    throw new ToexError(
      'conflict',
      `translation ${change.id} is at version ${before.version}, not ${change.basedOn}: read it again before correcting it`,
    );
  }
  if (text === before.text) {
    throw new ToexError('bad-input', 'the correction is the text as it stands');
  }
  const { versions, key } = KINDS[kind];
  db.prepare(
    `INSERT INTO ${versions} (${key}, version, text, author, reason, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(
    change.id,
    before.version + 1,
    text,
    change.author,
    change.reason.trim(),
    new Date().toISOString(),
  );
  return text;
}

export interface Correction {
  id: number;
  text: string;
  reason: string;
  author: string;
  basedOn?: number;
}

/**
 * Saves a reviewer's correction of a message's translation as its next
 * version, and puts it in the search index in place of the version before.
 */
export function correctTranslation(db: Db, change: Correction): MessageTranslation {
  return writeTransaction(db, () => {
    const text = addVersion(db, 'message', change, getTranslation(db, change.id));
    db.prepare('DELETE FROM translations_fts WHERE rowid = ?').run(change.id);
    db.prepare('INSERT INTO translations_fts (rowid, text) VALUES (?, ?)').run(change.id, text);
    return getTranslation(db, change.id);
  });
}

/** Saves a reviewer's correction of a segment's translation as its next version. */
export function correctSegmentTranslation(db: Db, change: Correction): SegmentTranslation {
  return writeTransaction(db, () => {
    addVersion(db, 'segment', change, getSegmentTranslation(db, change.id));
    return getSegmentTranslation(db, change.id);
  });
}

/** A segment's translation, of the text it had at one version of its transcript. */
export interface SegmentTranslation {
  id: number;
  transcriptId: number;
  segmentId: number;
  transcriptVersion: number;
  from: string;
  to: string;
  modelId: string;
  /** The newest version's text: a reviewer's correction, else the machine's. */
  text: string;
  /** 1 for the machine's text, 2 on for reviewed corrections. */
  version: number;
  machineText: string;
  confidence: number;
  flags: string[];
  reviewedBy: string | null;
  via: string | null;
}

interface SegmentRow extends MadeRow {
  transcript_id: number;
  segment_id: number;
  transcript_version: number;
}

function fromSegmentRow(r: SegmentRow): SegmentTranslation {
  return {
    ...made(r),
    transcriptId: r.transcript_id,
    segmentId: r.segment_id,
    transcriptVersion: r.transcript_version,
  };
}

export function getSegmentTranslation(db: Db, id: number): SegmentTranslation {
  const row = db.prepare(`${newest('segment')} WHERE t.id = ?`).get(id) as SegmentRow | undefined;
  if (!row) throw new ToexError('not-found', `no segment translation ${id} in this case`);
  return fromSegmentRow(row);
}

/** The translations of a transcript's segments as they read at `version`, by segment id. */
export function segmentTranslations(
  db: Db,
  transcriptId: number,
  version: number,
): Map<number, SegmentTranslation[]> {
  const rows = db
    .prepare(
      `${newest('segment')} WHERE t.transcript_id = ? AND t.transcript_version = ?
       ORDER BY t.segment_id, t.id`,
    )
    .all(transcriptId, version) as SegmentRow[];
  const out = new Map<number, SegmentTranslation[]>();
  for (const r of rows) {
    out.set(r.segment_id, [...(out.get(r.segment_id) ?? []), fromSegmentRow(r)]);
  }
  return out;
}
