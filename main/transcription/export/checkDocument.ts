import { CLASSIFICATIONS } from '../../cases/classification.js';
import { ToexError } from '../../errors.js';
import { cleanText } from './exportText.js';
import type { DocumentSegment, TranscriptDocument } from './TranscriptDocument.js';

/** What is wrong with the document; checkDocument says what it was doing in front. */
class Invalid extends Error {}

function refuse(what: string): never {
  throw new Invalid(what);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') refuse(`${what} is missing`);
  return cleanText(value);
}

function optionalText(value: unknown, what: string): string | null {
  return value === null ? null : text(value, what);
}

function time(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    refuse(`${what} is not a time in milliseconds`);
  }
  return value;
}

function count(value: unknown, what: string, least: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < least) refuse(`${what} is not valid`);
  return value as number;
}

function isoInstant(value: unknown, what: string): string {
  if (typeof value !== 'string' || !Number.isFinite(Date.parse(value))) {
    refuse(`${what} is not a date and time`);
  }
  return value;
}

function sha256(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/i.test(value)) {
    refuse(`${what} is not a SHA-256 in hex`);
  }
  return value.toLowerCase();
}

function segment(value: DocumentSegment, n: number): DocumentSegment {
  const what = `segment ${n}`;
  const startMs = time(value?.startMs, `${what}'s start`);
  const endMs = time(value?.endMs, `${what}'s end`);
  if (endMs < startMs) refuse(`${what} ends before it starts`);
  if (!Array.isArray(value.words)) refuse(`${what}'s words are missing`);
  const words = value.words.map((w, i) => {
    const wordStart = time(w?.startMs, `word ${i + 1} of ${what}`);
    const wordEnd = time(w?.endMs, `word ${i + 1} of ${what}`);
    if (wordEnd < wordStart) refuse(`word ${i + 1} of ${what} ends before it starts`);
    if (typeof w.p !== 'number' || !(w.p >= 0 && w.p <= 1)) {
      refuse(`word ${i + 1} of ${what} has no probability between 0 and 1`);
    }
    return {
      text: text(w.text, `word ${i + 1} of ${what}`),
      startMs: wordStart,
      endMs: wordEnd,
      p: w.p,
    };
  });
  return {
    startMs,
    endMs,
    speaker: optionalText(value.speaker, `${what}'s speaker`),
    text: text(value.text, `${what}'s text`),
    needsReview: value.needsReview === true,
    edited: value.edited === true,
    words,
  };
}

/**
 * Checks a document field by field and returns the copy every renderer
 * works from: text cleaned of control characters, hashes in lower case,
 * segments in time order (a stable sort, so equal starts keep their order).
 * Anything a renderer could not write faithfully is a one-line bad-input,
 * opening with the refusal given (what the caller was doing).
 */
export function checkDocument(
  doc: TranscriptDocument,
  refusal = 'cannot export the transcript',
): TranscriptDocument {
  try {
    return checked(doc);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    throw new ToexError('bad-input', `${refusal}: ${err.message}`);
  }
}

function checked(doc: TranscriptDocument): TranscriptDocument {
  if (doc === null || typeof doc !== 'object') refuse('no document was given');
  if (!(CLASSIFICATIONS as readonly unknown[]).includes(doc.classification)) {
    refuse('the classification is not one this terminal may hold');
  }
  const e = doc.exhibit ?? refuse('the exhibit is missing');
  const t = doc.transcript ?? refuse('the transcript details are missing');
  if (!Array.isArray(doc.segments)) refuse('the segments are missing');
  const s = doc.signOff;
  if (s !== null && typeof s !== 'object') refuse('the sign-off is not valid');

  return {
    caseReference: text(doc.caseReference, 'the case reference'),
    caseTitle: text(doc.caseTitle, 'the case title'),
    classification: doc.classification,
    exhibit: {
      evidenceId: count(e.evidenceId, 'the evidence id', 1),
      exhibitRef: optionalText(e.exhibitRef, 'the exhibit reference'),
      originalName: text(e.originalName, 'the original file name'),
      sha256: sha256(e.sha256, "the recording's hash"),
    },
    transcript: {
      id: count(t.id, 'the transcript id', 1),
      version: count(t.version, 'the transcript version', 1),
      engine: text(t.engine, 'the engine'),
      modelId: text(t.modelId, 'the model id'),
      modelSha256: sha256(t.modelSha256, "the model's hash"),
      language: optionalText(t.language, 'the language'),
      durationMs: time(t.durationMs, 'the recording length'),
      createdAt: isoInstant(t.createdAt, 'the transcript time'),
    },
    signOff:
      s === null
        ? null
        : {
            by: text(s.by, 'who signed off'),
            at: isoInstant(s.at, 'the sign-off time'),
            statement: text(s.statement, 'the sign-off statement'),
          },
    segments: doc.segments
      .map((g, i) => segment(g, i + 1))
      .map((g, i) => ({ g, i }))
      .sort((a, b) => a.g.startMs - b.g.startMs || a.i - b.i)
      .map(({ g }) => g),
    exportedBy: text(doc.exportedBy, 'who exported'),
    exportedAt: isoInstant(doc.exportedAt, 'the export time'),
  };
}
