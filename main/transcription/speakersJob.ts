import type { AuditLog } from '../audit/AuditLog.js';
import { ToexError } from '../errors.js';
import type { EvidenceStore } from '../evidence/EvidenceStore.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobKind } from '../jobs/JobRunner.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';
import type { SpeakersInput, SpeakersPartial } from '../../workers/speakers/speakersWorker.js';
import { sha256OfFile } from '../../models/modelManifest.js';
import { clusterSpeakers, type VoiceSample } from './clusterSpeakers.js';

export const SPEAKERS = 'transcript.speakers';
/** The manifest's speaker encoder, the one model this job runs. */
export const SPEAKER_MODEL_ID = 'ge2e-speaker-encoder';
export const SPEAKER_MODEL_FILE = 'ge2e-speaker-encoder.onnx';

/**
 * Average similarity at which two groups of segments are taken as one voice.
 * Measured here: stretches of one person (espeak-ng voices, a LibriVox reader's
 * clips, Kennedy's speech) came out 0.73 to 0.93 alike, different people 0.4 to
 * 0.69, and the three-voice test groups rightly from 0.65 to 0.85.
 */
export const DEFAULT_THRESHOLD = 0.65;
/** Segments shorter than this are placed by their voice but have no say in the grouping. */
export const MIN_VOTE_MS = 1500;
export const MAX_SPEAKERS = 20;

export interface SpeakersParams {
  transcriptId: number;
  modelPath: string;
  modelId: string;
  modelSha256: string;
  threads: number;
  /** How many voices to find; null: as many as the threshold separates. */
  speakers: number | null;
  threshold: number;
}

export interface SpeakersSummary {
  transcriptId: number;
  segments: number;
  speakers: number;
  /** Segments per suggested label. */
  labels: Record<string, number>;
}

/** One segment's suggestion from the newest speaker-separation job. */
export interface SpeakerSuggestion {
  segmentId: number;
  label: string;
  similarity: number | null;
  voted: boolean;
  jobId: string;
  modelId: string;
  modelSha256: string;
}

/** The newest speaker-separation job's suggestions for a transcript, empty if none has run. */
export function newestSpeakerSuggestions(db: Db, transcriptId: number): SpeakerSuggestion[] {
  const rows = db
    .prepare(
      `SELECT segment_id AS segmentId, label, similarity, voted, job_id AS jobId,
         model_id AS modelId, model_sha256 AS modelSha256
       FROM speaker_suggestions WHERE transcript_id = ? AND job_id =
         (SELECT job_id FROM speaker_suggestions WHERE transcript_id = ? ORDER BY rowid DESC LIMIT 1)
       ORDER BY segment_id`,
    )
    .all(transcriptId, transcriptId) as (Omit<SpeakerSuggestion, 'voted'> & { voted: number })[];
  return rows.map((r) => ({ ...r, voted: r.voted === 1 }));
}

/** Checks what a user asked for before anything is queued. */
export function checkSpeakerOptions(options: {
  speakers?: number;
  threshold?: number;
  threads?: number;
}): { speakers: number | null; threshold: number; threads: number } {
  const { speakers, threshold = DEFAULT_THRESHOLD, threads = 2 } = options;
  if (
    speakers !== undefined &&
    (!Number.isInteger(speakers) || speakers < 1 || speakers > MAX_SPEAKERS)
  ) {
    throw new ToexError(
      'bad-input',
      `the number of speakers must be a whole number from 1 to ${MAX_SPEAKERS}`,
    );
  }
  if (!Number.isFinite(threshold) || threshold <= 0 || threshold >= 1) {
    throw new ToexError('bad-input', 'the similarity threshold must be a number between 0 and 1');
  }
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new ToexError('bad-input', 'threads must be a whole number from 1 to 64');
  }
  return { speakers: speakers ?? null, threshold, threads };
}

const toBlob = (embedding: number[]) => Buffer.from(Float32Array.from(embedding).buffer);
const fromBlob = (blob: Buffer) =>
  new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));

/**
 * Suggests who spoke each segment of a finished transcript. The worker
 * embeds each segment's audio with the speaker encoder; each embedding is
 * stored as it comes (the checkpoint), and once all are in, main groups them
 * by voice and stores the suggestions in one transaction.
 *
 * Not yet: a segment in which two people speak gets one suggestion (the voice
 * heard most in it, or a blend); segments are not split where the voice changes.
 */
export function speakersKind(
  db: Db,
  evidence: EvidenceStore,
  audit: AuditLog,
  actor: string,
): JobKind<SpeakersInput, SpeakersPartial> {
  const params = (job: Job) => job.params as unknown as SpeakersParams;
  const segmentsOf = (transcriptId: number) =>
    db
      .prepare(
        'SELECT id, start_ms, end_ms, channel FROM segments WHERE transcript_id = ? ORDER BY start_ms, id',
      )
      .all(transcriptId) as {
      id: number;
      start_ms: number;
      end_ms: number;
      channel: number | null;
    }[];
  const embedded = (job: Job) =>
    db
      .prepare('SELECT segment_id, embedding FROM speaker_embeddings WHERE job_id = ?')
      .all(job.id) as {
      segment_id: number;
      embedding: Buffer | null;
    }[];

  return {
    kind: SPEAKERS,
    worker: 'speakers/speakersWorker',
    // The encoder keeps the cores as busy as Whisper does: it takes an engine slot too.
    usesEngine: true,

    async prepare(job) {
      const p = params(job);
      if ((await sha256OfFile(p.modelPath)) !== p.modelSha256) {
        throw new ToexError(
          'bad-input',
          `the model file is no longer the ${p.modelId} this job was queued with; no speakers were suggested with it`,
        );
      }
      const t = db
        .prepare('SELECT evidence_id FROM transcripts WHERE id = ?')
        .get(p.transcriptId) as { evidence_id: number };
      const all = segmentsOf(p.transcriptId);
      const done = new Set(embedded(job).map((r) => r.segment_id));
      const todo = all.filter((s) => !done.has(s.id));
      const channels = [...new Set(todo.map((s) => s.channel ?? 0))].sort((a, b) => a - b);
      return {
        input: todo.length
          ? {
              audioPath: evidence.absolutePath(evidence.get(t.evidence_id)),
              modelPath: p.modelPath,
              threads: p.threads,
              tracks: channels.map((channel) => ({
                channel,
                spans: todo
                  .filter((s) => (s.channel ?? 0) === channel)
                  .map((s) => ({ segmentId: s.id, startMs: s.start_ms, endMs: s.end_ms })),
              })),
            }
          : undefined,
        total: all.length,
        done: done.size,
      };
    },

    applyPartial(job, partial) {
      db.prepare(
        'INSERT OR IGNORE INTO speaker_embeddings (job_id, segment_id, embedding) VALUES (?, ?, ?)',
      ).run(job.id, partial.segmentId, partial.embedding ? toBlob(partial.embedding) : null);
      const total = segmentsOf(params(job).transcriptId).length;
      const done = embedded(job).length;
      return {
        progress: total ? done / total : 1,
        stage: 'listening for voices',
        checkpoint: { embedded: done },
      };
    },

    finish(job) {
      const p = params(job);
      const times = new Map(segmentsOf(p.transcriptId).map((s) => [s.id, s]));
      const samples: VoiceSample[] = embedded(job).map((r) => {
        const s = times.get(r.segment_id)!;
        return {
          segmentId: r.segment_id,
          startMs: s.start_ms,
          embedding: r.embedding ? fromBlob(r.embedding) : null,
          votes: s.end_ms - s.start_ms >= MIN_VOTE_MS,
        };
      });
      const guesses = clusterSpeakers(samples, {
        threshold: p.threshold,
        ...(p.speakers === null ? {} : { speakers: p.speakers }),
      });

      const labels: Record<string, number> = {};
      for (const g of guesses) labels[g.label] = (labels[g.label] ?? 0) + 1;
      const summary: SpeakersSummary = {
        transcriptId: p.transcriptId,
        segments: guesses.length,
        speakers: Object.keys(labels).length,
        labels,
      };
      writeTransaction(db, () => {
        // A crash after this commit runs finish again: the suggestions stand as first written.
        if (db.prepare('SELECT 1 FROM speaker_suggestions WHERE job_id = ?').get(job.id)) return;
        const at = new Date().toISOString();
        const insert = db.prepare(
          `INSERT INTO speaker_suggestions (job_id, transcript_id, segment_id, label, similarity, voted, model_id, model_sha256, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const g of guesses) {
          insert.run(
            job.id,
            p.transcriptId,
            g.segmentId,
            g.label,
            g.similarity,
            g.voted ? 1 : 0,
            p.modelId,
            p.modelSha256,
            at,
          );
        }
        audit.append({
          actor,
          action: 'transcript.speakers',
          subject: `transcript:${p.transcriptId}`,
          details: {
            jobId: job.id,
            modelId: p.modelId,
            modelSha256: p.modelSha256,
            segments: summary.segments,
            speakers: summary.speakers,
            threshold: p.threshold,
            asked: p.speakers,
          },
        });
      });
      return { ...summary };
    },
  };
}
