import type { Classification } from '../../cases/classification.js';

/** One word as the engine timed it, in milliseconds from the recording's start. */
export interface DocumentWord {
  text: string;
  startMs: number;
  endMs: number;
  /** The engine's probability for the word, 0 to 1. */
  p: number;
}

/** One speaker turn line of the transcript as it stands in the version exported. */
export interface DocumentSegment {
  startMs: number;
  endMs: number;
  /** Interviewer, Interviewee, Solicitor, Interpreter, a name, or null when nobody labelled it. */
  speaker: string | null;
  text: string;
  /** The machine was unsure here (low confidence, repetition, likely invented text). */
  needsReview: boolean;
  /** An officer changed this segment's text or speaker from what the machine wrote. */
  edited: boolean;
  words: DocumentWord[];
}

/**
 * Everything an export needs about one version of one transcript, gathered
 * by the case store so the renderers stay pure: same document, same bytes.
 */
export interface TranscriptDocument {
  caseReference: string;
  caseTitle: string;
  classification: Classification;
  exhibit: {
    evidenceId: number;
    exhibitRef: string | null;
    originalName: string;
    sha256: string;
  };
  transcript: {
    id: number;
    /** 1 is the machine's own text; each saved edit adds one. */
    version: number;
    engine: string;
    modelId: string;
    modelSha256: string;
    language: string | null;
    durationMs: number;
    createdAt: string;
  };
  /** Set only when an officer signed off this very version as checked against the audio. */
  signOff: { by: string; at: string; statement: string } | null;
  segments: DocumentSegment[];
  exportedBy: string;
  exportedAt: string;
}

export const EXPORT_FORMATS = ['txt', 'srt', 'vtt', 'json', 'docx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
