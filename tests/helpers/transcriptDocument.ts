import { createHash } from 'node:crypto';

import type {
  DocumentSegment,
  DocumentWord,
  TranscriptDocument,
} from '../../main/transcription/export/TranscriptDocument.js';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Words spread evenly over a span, as the engine would time them. */
export function timedWords(text: string, startMs: number, endMs: number): DocumentWord[] {
  const words = text.split(' ');
  const step = (endMs - startMs) / words.length;
  return words.map((word, i) => ({
    text: word,
    startMs: Math.round(startMs + i * step),
    endMs: Math.round(startMs + (i + 1) * step),
    p: 0.9,
  }));
}

export function segment(
  startMs: number,
  endMs: number,
  speaker: string | null,
  text: string,
  marks: { needsReview?: boolean; edited?: boolean; words?: DocumentWord[] } = {},
): DocumentSegment {
  return {
    startMs,
    endMs,
    speaker,
    text,
    needsReview: marks.needsReview ?? false,
    edited: marks.edited ?? false,
    words: marks.words ?? timedWords(text, startMs, endMs),
  };
}

export const SIGN_OFF = {
  by: 'DS Priya Kaur 5678',
  at: '2026-12-03T09:30:00.000Z',
  statement: 'I have checked this transcript against the audio recording and it is accurate.',
};

/** An interview with four speakers, a review flag, an edit and non-Latin text. */
export function interviewDocument(overrides: Partial<TranscriptDocument> = {}): TranscriptDocument {
  return {
    caseReference: 'OP-ARCTIC/2026/0042',
    caseTitle: 'Northtown county lines',
    classification: 'OFFICIAL-SENSITIVE',
    exhibit: {
      evidenceId: 7,
      exhibitRef: 'JS/1',
      originalName: 'interview-2026-11-30.wav',
      sha256: sha256('the recording'),
    },
    transcript: {
      id: 3,
      version: 2,
      engine: 'whisper.cpp 1.5.0',
      modelId: 'ggml-base',
      modelSha256: sha256('the model'),
      language: 'en',
      durationMs: 95_000,
      createdAt: '2026-11-30T10:40:00.000Z',
    },
    signOff: null,
    segments: [
      segment(0, 3200, 'Interviewer', 'This interview is being recorded.'),
      segment(3500, 5000, 'Interviewer', 'Please state your name.'),
      segment(6000, 8500, 'Interviewee', 'Marek Kowalski. Zażółć gęślą jaźń.'),
      segment(9000, 11_000, 'Interviewee', 'I was at the shop.', { needsReview: true }),
      segment(12_000, 14_500, 'Interpreter', 'مرحبا، كيف حالك؟', { edited: true }),
      segment(15_000, 16_000, 'Solicitor', 'No comment 😶', { edited: true }),
    ],
    exportedBy: 'DC Jane Smith 1234',
    exportedAt: '2026-12-04T17:06:22.000Z',
    ...overrides,
  };
}
