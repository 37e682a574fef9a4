import type { AuditLog } from '../audit/AuditLog.js';
import { ToexError } from '../errors.js';
import type { EvidenceStore } from '../evidence/EvidenceStore.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobKind } from '../jobs/JobRunner.js';
import type { Db } from '../store/EncryptedDatabase.js';
import type {
  TranscribeInput,
  TranscribePartial,
} from '../../workers/transcribe/transcribeWorker.js';
import { sha256OfFile } from '../../models/modelManifest.js';
import { probeAudio } from './probeAudio.js';

export const TRANSCRIBE = 'transcribe';

export interface TranscribeParams {
  evidenceId: number;
  modelPath: string;
  modelId: string;
  modelSha256: string;
  language: string;
  threads: number;
}

export interface TranscriptSummary {
  transcriptId: number;
  segments: number;
  flagged: number;
  language: string | null;
  durationMs: number;
}

/** The language spoken longest across the chunks stored so far. */
function dominantLanguage(db: Db, transcriptId: number): string | null {
  const row = db
    .prepare(
      `SELECT language FROM transcript_chunks WHERE transcript_id = ? AND language != ''
       GROUP BY language ORDER BY sum(end_ms - start_ms) DESC LIMIT 1`,
    )
    .get(transcriptId) as { language: string } | undefined;
  return row?.language ?? null;
}

/**
 * Transcribes one recording in a worker. Each chunk's segments are stored with
 * the checkpoint (the chunk's end), so a crash keeps what was done and the
 * resumed job decodes from there on.
 */
export function transcribeKind(
  db: Db,
  evidence: EvidenceStore,
  audit: AuditLog,
  actor: string,
): JobKind<TranscribeInput, TranscribePartial> {
  const params = (job: Job) => job.params as unknown as TranscribeParams;
  const transcriptOf = (job: Job) =>
    (db.prepare('SELECT id FROM transcripts WHERE job_id = ?').get(job.id) as { id: number }).id;
  const doneMs = (job: Job) => Number(job.checkpoint?.doneMs ?? 0);

  return {
    kind: TRANSCRIBE,
    worker: 'transcribe/transcribeWorker',
    usesEngine: true,

    async prepare(job) {
      const p = params(job);
      // Checked again at every attempt: a resumed job must use the very model
      // the transcript names, not whatever file now sits at that path.
      if ((await sha256OfFile(p.modelPath)) !== p.modelSha256) {
        throw new ToexError(
          'bad-input',
          `the model file is no longer the ${p.modelId} this job was queued with; nothing was transcribed with it`,
        );
      }
      const item = evidence.get(p.evidenceId);
      const info = await probeAudio(evidence.absolutePath(item));
      if (info.durationMs === 0) {
        throw new ToexError('bad-input', 'the recording is empty (no audio in it)');
      }
      const start = doneMs(job);
      db.prepare('UPDATE transcripts SET duration_ms = ? WHERE job_id = ?').run(
        info.durationMs,
        job.id,
      );
      return {
        input:
          start >= info.durationMs
            ? undefined
            : {
                audioPath: evidence.absolutePath(item),
                modelPath: p.modelPath,
                language: p.language,
                threads: p.threads,
                startMs: start,
                durationMs: info.durationMs,
              },
        total: info.durationMs,
        done: start,
      };
    },

    applyPartial(job, partial) {
      const transcriptId = transcriptOf(job);
      const insert = db.prepare(
        `INSERT OR IGNORE INTO segments (transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const s of partial.segments) {
        insert.run(
          transcriptId,
          Math.max(0, s.startMs),
          Math.max(s.startMs, s.endMs, 0),
          s.text,
          JSON.stringify(s.words),
          s.avgLogprob,
          JSON.stringify(s.flags),
          partial.startMs,
        );
      }
      db.prepare(
        'INSERT OR IGNORE INTO transcript_chunks (transcript_id, start_ms, end_ms, language) VALUES (?, ?, ?, ?)',
      ).run(transcriptId, partial.startMs, partial.endMs, partial.language);
      db.prepare('UPDATE transcripts SET language = ? WHERE id = ?').run(
        dominantLanguage(db, transcriptId),
        transcriptId,
      );
      const duration = (
        db.prepare('SELECT duration_ms FROM transcripts WHERE id = ?').get(transcriptId) as {
          duration_ms: number;
        }
      ).duration_ms;
      return {
        progress: duration ? Math.min(1, partial.endMs / duration) : 0,
        stage: 'transcribing',
        checkpoint: { doneMs: partial.endMs },
      };
    },

    finish(job) {
      const summary = summariseTranscript(db, transcriptOf(job));
      audit.append({
        actor,
        action: 'transcript.create',
        subject: `transcript:${summary.transcriptId}`,
        details: {
          evidenceId: params(job).evidenceId,
          jobId: job.id,
          modelId: params(job).modelId,
          modelSha256: params(job).modelSha256,
          segments: summary.segments,
          flagged: summary.flagged,
          language: summary.language,
        },
      });
      return { ...summary };
    },
  };
}

export function summariseTranscript(db: Db, transcriptId: number): TranscriptSummary {
  const t = db
    .prepare('SELECT language, duration_ms FROM transcripts WHERE id = ?')
    .get(transcriptId) as { language: string | null; duration_ms: number };
  const counts = db
    .prepare(
      `SELECT count(*) AS segments, sum(flags != '[]') AS flagged FROM segments WHERE transcript_id = ?`,
    )
    .get(transcriptId) as { segments: number; flagged: number | null };
  return {
    transcriptId,
    segments: counts.segments,
    flagged: counts.flagged ?? 0,
    language: t.language,
    durationMs: t.duration_ms,
  };
}
