import type { Db } from '../../store/EncryptedDatabase.js';

/** What every export says of the translations in it, above the table and on each row. */
export const MACHINE_NOTICE =
  'MACHINE TRANSLATION: made by a computer model on this workstation and not checked by a qualified translator unless a row says it was reviewed.';

export interface TranslationRow {
  messageId: number;
  threadId: number;
  /** UTC, with the source's own offset when it gave one ("2024-03-09 21:00:00Z (+08:00)"). */
  time: string;
  sender: string;
  original: string;
  translation: string;
  /** "zh -> en" */
  languages: string;
  confidence: number;
  /** "machine translation (opus-mt-zh-en)", or "reviewed by ..., version 2 (machine: opus-mt-zh-en)". */
  status: string;
}

export interface TranslationTable {
  caseReference: string;
  classification: string;
  exportedAt: string;
  exportedBy: string;
  rows: TranslationRow[];
}

interface Row {
  message_id: number;
  thread_id: number;
  sent_at: string | null;
  utc_offset_minutes: number | null;
  direction: string;
  identifier: string | null;
  name: string | null;
  body: string | null;
  source_language: string;
  target_language: string;
  model_id: string;
  machine_text: string;
  confidence: number;
  reviewed_text: string | null;
  version: number | null;
  author: string | null;
  flags: string;
}

function time(sentAt: string | null, offset: number | null): string {
  if (sentAt === null) return '(no time)';
  const utc = sentAt.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  if (offset === null) return utc;
  const abs = Math.abs(offset);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${utc} (${offset < 0 ? '-' : '+'}${hhmm})`;
}

/**
 * Every translation of the case's messages (or one thread's, or those in
 * the languages given), each at its newest version, in the order the
 * messages were sent (undated last).
 */
export function translationRows(
  db: Db,
  filter: { threadId?: number; languages?: string[] } = {},
): TranslationRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.threadId !== undefined) {
    where.push('m.thread_id = ?');
    args.push(filter.threadId);
  }
  if (filter.languages?.length) {
    where.push(`(${filter.languages.map(() => 't.source_language = ?').join(' OR ')})`);
    args.push(...filter.languages);
  }
  const rows = db
    .prepare(
      `SELECT m.id AS message_id, m.thread_id, m.sent_at, m.utc_offset_minutes, m.direction,
         p.identifier, p.name, m.body, t.source_language, t.target_language, t.model_id,
         t.text AS machine_text, t.confidence, t.flags, v.text AS reviewed_text, v.version, v.author
       FROM translations t JOIN messages m ON m.id = t.message_id
         LEFT JOIN participants p ON p.id = m.sender_id
         LEFT JOIN translation_versions v ON v.translation_id = t.id
           AND v.version = (SELECT max(version) FROM translation_versions WHERE translation_id = t.id)
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY m.sent_at_ms IS NULL, m.sent_at_ms, m.id, t.id`,
    )
    .all(...args) as Row[];
  return rows.map((r) => ({
    messageId: r.message_id,
    threadId: r.thread_id,
    time: time(r.sent_at, r.utc_offset_minutes),
    sender:
      r.direction === 'outgoing'
        ? '(device owner)'
        : [...new Set([r.name, r.identifier].filter((x) => x !== null))].join(' ') || '(unknown)',
    original: r.body ?? '',
    translation: r.reviewed_text ?? r.machine_text,
    languages: `${r.source_language} -> ${r.target_language}`,
    confidence: Math.round(r.confidence * 100) / 100,
    status:
      (r.version === null
        ? `machine translation (${r.model_id})`
        : `reviewed by ${r.author}, version ${r.version} (machine: ${r.model_id})`) +
      ((JSON.parse(r.flags) as string[]).includes('truncated')
        ? "; cut at the model's length limit"
        : ''),
  }));
}

/** The columns of every export, in order, with each row's cell for them. */
export const COLUMNS: [string, (r: TranslationRow) => string | number][] = [
  ['Message', (r) => r.messageId],
  ['Time (UTC)', (r) => r.time],
  ['Sender', (r) => r.sender],
  ['Original', (r) => r.original],
  ['Translation', (r) => r.translation],
  ['Languages', (r) => r.languages],
  ['Confidence', (r) => r.confidence],
  ['Status', (r) => r.status],
];
