import { ToexError } from '../../errors.js';
import { checkDocument } from './checkDocument.js';
import type { TranscriptDocument } from './TranscriptDocument.js';

/** The schema's name and major version; a change that breaks readers makes it /2. */
export const JSON_FORMAT = 'toex-transcript/1';

/**
 * The toex-transcript/1 schema: one object, keys always in this order.
 *
 * - `format`: "toex-transcript/1"; `status`: "draft" until signed off, then "signed-off".
 * - `classification`, `case` {reference, title}, `exhibit` {evidenceId, exhibitRef (or
 *   null), originalName, sha256}.
 * - `transcript` {id, version (1 is the machine's text), engine, modelId, modelSha256,
 *   language (or null), durationMs, createdAt}.
 * - `signOff`: null, or {by, at, statement} for this very version.
 * - `exportedBy`, `exportedAt`; instants are ISO 8601 strings as stored.
 * - `segments`: in time order, each {startMs, endMs, speaker (or null), text, needsReview,
 *   edited, words: [{text, startMs, endMs, p}]}; times are milliseconds from the start.
 *
 * Text is the stored text with control characters removed; bidi controls are kept but
 * written as \u escapes so they cannot reorder what a reader of the raw file sees.
 */
export interface TranscriptJson {
  format: typeof JSON_FORMAT;
  status: 'draft' | 'signed-off';
  classification: TranscriptDocument['classification'];
  case: { reference: string; title: string };
  exhibit: TranscriptDocument['exhibit'];
  transcript: TranscriptDocument['transcript'];
  signOff: TranscriptDocument['signOff'];
  exportedBy: string;
  exportedAt: string;
  segments: TranscriptDocument['segments'];
}

function toJson(doc: TranscriptDocument): TranscriptJson {
  const { exhibit: e, transcript: t, signOff: s } = doc;
  return {
    format: JSON_FORMAT,
    status: s === null ? 'draft' : 'signed-off',
    classification: doc.classification,
    case: { reference: doc.caseReference, title: doc.caseTitle },
    exhibit: {
      evidenceId: e.evidenceId,
      exhibitRef: e.exhibitRef,
      originalName: e.originalName,
      sha256: e.sha256,
    },
    transcript: {
      id: t.id,
      version: t.version,
      engine: t.engine,
      modelId: t.modelId,
      modelSha256: t.modelSha256,
      language: t.language,
      durationMs: t.durationMs,
      createdAt: t.createdAt,
    },
    signOff: s === null ? null : { by: s.by, at: s.at, statement: s.statement },
    exportedBy: doc.exportedBy,
    exportedAt: doc.exportedAt,
    segments: doc.segments.map((g) => ({
      startMs: g.startMs,
      endMs: g.endMs,
      speaker: g.speaker,
      text: g.text,
      needsReview: g.needsReview,
      edited: g.edited,
      words: g.words.map((w) => ({ text: w.text, startMs: w.startMs, endMs: w.endMs, p: w.p })),
    })),
  };
}

// JSON.stringify leaves these as raw characters; escaped, they stay in the data but not on screen.
const ESCAPED = /[\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

export function renderJson(doc: TranscriptDocument): Buffer {
  const text = JSON.stringify(toJson(doc), null, 2).replace(
    ESCAPED,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return Buffer.from(`${text}\n`, 'utf8');
}

/**
 * Reads a toex-transcript/1 file back into the document it was made from.
 * A file that is not one, or whose fields do not hold, is a one-line bad-input.
 */
export function parseTranscriptJson(bytes: Uint8Array): TranscriptDocument {
  let value: Partial<TranscriptJson>;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<TranscriptJson>;
  } catch {
    throw new ToexError('bad-input', 'not a transcript export: the file is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || value.format !== JSON_FORMAT) {
    throw new ToexError(
      'bad-input',
      `not a transcript export: expected "format": "${JSON_FORMAT}"`,
    );
  }
  if (!value.case || !value.exhibit || !value.transcript || !Array.isArray(value.segments)) {
    throw new ToexError('bad-input', 'transcript export is incomplete: a required part is missing');
  }
  return checkDocument(
    {
      caseReference: value.case.reference,
      caseTitle: value.case.title,
      classification: value.classification!,
      exhibit: value.exhibit,
      transcript: value.transcript,
      signOff: value.signOff ?? null,
      segments: value.segments,
      exportedBy: value.exportedBy!,
      exportedAt: value.exportedAt!,
    },
    'transcript export is not valid',
  );
}
