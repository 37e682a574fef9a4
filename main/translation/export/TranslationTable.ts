import type { Db } from '../../store/EncryptedDatabase.js';
import type { SegmentView } from '../../transcription/TranscriptStore.js';
import { cueClock, speakerName } from '../../transcription/export/exportText.js';
import { flagWords, type SegmentTranslation } from '../TranslationStore.js';

/** What every export says of the translations in it, above the table and on each row. */
export const MACHINE_NOTICE =
  'MACHINE TRANSLATION: made by a computer model on this workstation and not checked by a qualified translator unless a row says it was reviewed.';

export interface TranslationRow {
  /** A message's translation, or a segment's (a transcript's, or a voice note's). */
  kind: 'message' | 'segment';
  /** Its id: a message translation's, or a segment translation's (`translation edit --segment`). */
  translationId: number;
  /** The message's id, or the segment's number in its transcript (from 1). */
  item: number;
  /**
   * A message's: UTC, with the source's own offset when it gave one
   * ("2024-03-09 21:00:00Z (+08:00)"). A segment's: its span in the
   * recording ("00:01:02.500 - 00:01:05.000").
   */
  time: string;
  /** A message's sender, or a segment's speaker. */
  sender: string;
  original: string;
  translation: string;
  /** "zh -> en" */
  languages: string;
  confidence: number;
  flags: string[];
  /** "machine translation (opus-mt-zh-en)", or "reviewed by ..., version 2 (machine: opus-mt-zh-en)". */
  status: string;
}

/** Which translations a table holds, and in what order. */
export interface TranslationFilter {
  threadId?: number;
  languages?: string[];
  /** Only those the model was less sure of than this (0 to 1). */
  below?: number;
  /** Only those with a flag (cut short, unreadable source). */
  flagged?: boolean;
  /** `sent` (the default): as the messages were sent. `confidence`: flagged first, then least sure first. */
  order?: 'sent' | 'confidence';
  limit?: number;
}

export interface TranslationTable {
  caseReference: string;
  classification: string;
  exportedAt: string;
  exportedBy: string;
  /** What the rows translate: messages, or a transcript's segments. */
  of: 'messages' | 'segments';
  /** Said under the notice: "Messages of thread 4", "Transcript 3 of item 5 (a.wav), version 2". */
  about: string;
  rows: TranslationRow[];
}

interface Row {
  kind: 'message' | 'segment';
  id: number;
  message_id: number;
  evidence_id: number | null;
  original: string | null;
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
  via_text: string | null;
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
 * Every translation of a message, and of a voice note's transcript at its
 * newest version (each segment's text as that version reads), with the
 * newest reviewed version of each.
 */
const TRANSLATED = `
  SELECT 'message' AS kind, t.id, t.message_id, NULL AS evidence_id, NULL AS segment_id,
    NULL AS original, t.source_language, t.target_language, t.model_id, t.text AS machine_text,
    t.confidence, t.flags, t.via_text, v.text AS reviewed_text, v.version, v.author
  FROM translations t LEFT JOIN translation_versions v ON v.translation_id = t.id
    AND v.version = (SELECT max(version) FROM translation_versions WHERE translation_id = t.id)
  UNION ALL
  SELECT 'segment', st.id, vn.message_id, vn.evidence_id, st.segment_id,
    coalesce((SELECT e.text FROM segment_edits e WHERE e.transcript_id = st.transcript_id
        AND e.segment_id = st.segment_id AND e.version <= st.transcript_version
        AND e.text IS NOT NULL ORDER BY e.version DESC LIMIT 1), s.text),
    st.source_language, st.target_language, st.model_id, st.text, st.confidence, st.flags,
    st.via_text, sv.text, sv.version, sv.author
  FROM voice_notes vn
    JOIN transcripts tr ON tr.id = (SELECT t2.id FROM transcripts t2 JOIN jobs j ON j.id = t2.job_id
      WHERE t2.evidence_id = vn.evidence_id AND j.state = 'done' ORDER BY t2.id DESC LIMIT 1)
    JOIN segment_translations st ON st.transcript_id = tr.id AND st.transcript_version =
      coalesce((SELECT max(version) FROM transcript_versions WHERE transcript_id = tr.id), 1)
    JOIN segments s ON s.id = st.segment_id
    LEFT JOIN segment_translation_versions sv ON sv.segment_translation_id = st.id
      AND sv.version = (SELECT max(version) FROM segment_translation_versions
        WHERE segment_translation_id = st.id)`;

/**
 * The translations of the case's messages and their voice notes that the
 * filter keeps, each at its newest version, in the order the messages were
 * sent (undated last; a voice note's after its message's own), or the
 * reviewer's order: flagged first, then least sure first.
 */
export function translationRows(db: Db, filter: TranslationFilter = {}): TranslationRow[] {
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
  if (filter.below !== undefined) {
    where.push('t.confidence < ?');
    args.push(filter.below);
  }
  if (filter.flagged) where.push("t.flags <> '[]'");
  const order =
    filter.order === 'confidence'
      ? "t.flags = '[]', t.confidence, t.kind, t.id"
      : 'm.sent_at_ms IS NULL, m.sent_at_ms, m.id, t.kind, t.segment_id, t.id';
  const rows = db
    .prepare(
      `SELECT t.*, m.sent_at, m.utc_offset_minutes, m.direction, p.identifier, p.name, m.body
       FROM (${TRANSLATED}) t JOIN messages m ON m.id = t.message_id
         LEFT JOIN participants p ON p.id = m.sender_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order} ${filter.limit === undefined ? '' : 'LIMIT ?'}`,
    )
    .all(...args, ...(filter.limit === undefined ? [] : [filter.limit])) as Row[];
  return rows.map((r) => {
    const made = status(
      r.model_id,
      r.version,
      r.author,
      JSON.parse(r.flags) as string[],
      r.via_text,
    );
    return {
      ...made,
      ...(r.kind === 'segment'
        ? { status: `voice note (item ${r.evidence_id}): ${made.status}` }
        : {}),
      kind: r.kind,
      translationId: r.id,
      item: r.message_id,
      time: time(r.sent_at, r.utc_offset_minutes),
      sender:
        r.direction === 'outgoing'
          ? '(device owner)'
          : [...new Set([r.name, r.identifier].filter((x) => x !== null))].join(' ') || '(unknown)',
      original: (r.kind === 'segment' ? r.original : r.body) ?? '',
      translation: r.reviewed_text ?? r.machine_text,
      languages: `${r.source_language} -> ${r.target_language}`,
      confidence: Math.round(r.confidence * 100) / 100,
    };
  });
}

/** A row's flags and what its Status column says of it: who made it, who reviewed it, its flags. */
function status(
  modelId: string,
  version: number | null,
  author: string | null,
  flags: string[],
  via: string | null,
): Pick<TranslationRow, 'flags' | 'status'> {
  return {
    flags,
    status:
      (version === null || version === 1
        ? `machine translation (${modelId})`
        : `reviewed by ${author}, version ${version} (machine: ${modelId})`) +
      flagWords(flags) +
      (via === null ? '' : `; through English: ${via}`),
  };
}

/**
 * The translations of a transcript's segments as they read at one version,
 * in the segments' order, each segment numbered from 1 as the transcript
 * exports number them.
 */
export function segmentTranslationRows(
  segments: readonly SegmentView[],
  translated: ReadonlyMap<number, SegmentTranslation[]>,
): TranslationRow[] {
  return segments.flatMap((s, i) =>
    (translated.get(s.id) ?? []).map((t) => ({
      ...status(t.modelId, t.version, t.reviewedBy, t.flags, t.via),
      kind: 'segment' as const,
      translationId: t.id,
      item: i + 1,
      time: `${cueClock(s.startMs, '.')} - ${cueClock(s.endMs, '.')}`,
      sender: speakerName(s.speaker),
      original: s.text,
      translation: t.text,
      languages: `${t.from} -> ${t.to}`,
      confidence: Math.round(t.confidence * 100) / 100,
    })),
  );
}

/** The columns of an export, in order, with each row's cell for them. */
export function columnsOf(
  table: Pick<TranslationTable, 'of'>,
): [string, (r: TranslationRow) => string | number][] {
  const segments = table.of === 'segments';
  return [
    [segments ? 'Segment' : 'Message', (r) => r.item],
    [segments ? 'Time in recording' : 'Time (UTC)', (r) => r.time],
    [segments ? 'Speaker' : 'Sender', (r) => r.sender],
    ['Original', (r) => r.original],
    ['Translation', (r) => r.translation],
    ['Languages', (r) => r.languages],
    ['Confidence', (r) => r.confidence],
    ['Status', (r) => r.status],
  ];
}
