import type { Db } from '../store/EncryptedDatabase.js';

export interface SegmentWord {
  text: string;
  startMs: number;
  endMs: number;
  p: number;
}

export interface Segment {
  id: number;
  startMs: number;
  endMs: number;
  text: string;
  words: SegmentWord[];
  avgLogprob: number;
  flags: string[];
}

export interface Transcript {
  id: number;
  evidenceId: number;
  jobId: string;
  engine: string;
  modelId: string;
  modelSha256: string;
  language: string | null;
  durationMs: number;
  createdBy: string;
  createdAt: string;
}

/** Reads a case's transcripts and their machine segments. */
export class TranscriptStore {
  constructor(private readonly db: Db) {}

  list(): Transcript[] {
    return this.db
      .prepare(
        `SELECT id, evidence_id AS evidenceId, job_id AS jobId, engine, model_id AS modelId, model_sha256 AS modelSha256,
           language, duration_ms AS durationMs, created_by AS createdBy, created_at AS createdAt
         FROM transcripts ORDER BY id`,
      )
      .all() as Transcript[];
  }

  segments(transcriptId: number): Segment[] {
    const rows = this.db
      .prepare(
        'SELECT id, start_ms, end_ms, text, words, avg_logprob, flags FROM segments WHERE transcript_id = ? ORDER BY start_ms, id',
      )
      .all(transcriptId) as {
      id: number;
      start_ms: number;
      end_ms: number;
      text: string;
      words: string;
      avg_logprob: number;
      flags: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      startMs: r.start_ms,
      endMs: r.end_ms,
      text: r.text,
      words: JSON.parse(r.words) as SegmentWord[],
      avgLogprob: r.avg_logprob,
      flags: JSON.parse(r.flags) as string[],
    }));
  }
}
