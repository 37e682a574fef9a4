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
import { indexTranscript } from './transcriptIndex.js';
import { vadModel, type VadModel } from './vadModel.js';

export const TRANSCRIBE = 'transcribe';

export interface TranscribeParams {
  evidenceId: number;
  modelPath: string;
  modelId: string;
  modelSha256: string;
  language: string;
  threads: number;
  /** Each channel transcribed on its own and labelled by channel (absent in older jobs: mixed down). */
  splitChannels?: boolean;
}

/** The most channels split apart: more is a multitrack session, not an interview recording. */
export const MAX_SPLIT_CHANNELS = 8;

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
 * Transcribes one recording in a worker. Each packed window's segments are
 * stored with the checkpoint (the end of its last region of speech), so a
 * crash keeps what was done and the resumed job decodes from there on.
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
  // The track being worked on: 0 is the mixed-down recording, 1... a channel.
  const doneTrack = (job: Job) =>
    Number(job.checkpoint?.channel ?? (params(job).splitChannels ? 1 : 0));
  const tracksOf = (job: Job, channels: number) =>
    params(job).splitChannels ? Array.from({ length: channels }, (_, i) => i + 1) : [0];
  // The speech detector each job's latest attempt checked and used.
  const detectors = new Map<string, VadModel>();

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
      const vad = await vadModel();
      detectors.set(job.id, vad);
      const item = evidence.get(p.evidenceId);
      const info = await probeAudio(evidence.absolutePath(item));
      if (info.durationMs === 0) {
        throw new ToexError('bad-input', 'the recording is empty (no audio in it)');
      }
      if (p.splitChannels && (info.channels < 2 || info.channels > MAX_SPLIT_CHANNELS)) {
        throw new ToexError(
          'bad-input',
          info.channels < 2
            ? 'the recording has one channel: there are no channels to split'
            : `the recording has ${info.channels} channels; at most ${MAX_SPLIT_CHANNELS} can be split`,
        );
      }
      db.prepare('UPDATE transcripts SET duration_ms = ?, channels = ? WHERE job_id = ?').run(
        info.durationMs,
        info.channels,
        job.id,
      );
      const all = tracksOf(job, info.channels);
      const at = Math.max(0, all.indexOf(doneTrack(job)));
      const tracks = all.slice(at);
      const start = doneMs(job);
      const finished = tracks.length === 1 && start >= info.durationMs;
      return {
        input: finished
          ? undefined
          : {
              audioPath: evidence.absolutePath(item),
              modelPath: p.modelPath,
              vadModelPath: vad.path,
              language: p.language,
              threads: p.threads,
              tracks,
              startMs: start,
              durationMs: info.durationMs,
            },
        total: info.durationMs * all.length,
        done: info.durationMs * at + start,
      };
    },

    applyPartial(job, partial) {
      const transcriptId = transcriptOf(job);
      // A chunk the checkpoint already covers was stored with it; storing it
      // again would repeat its segments.
      const track = partial.channel;
      const stored =
        track < doneTrack(job) || (track === doneTrack(job) && partial.endMs <= doneMs(job));
      if (stored) return { progress: job.progress, checkpoint: { ...job.checkpoint } };
      const insert = db.prepare(
        `INSERT INTO segments (transcript_id, start_ms, end_ms, text, words, avg_logprob, flags, chunk_start_ms, channel, speaker_suggestion)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
          track || null,
          track ? `Channel ${track}` : null,
        );
      }
      // One row per region of speech, so the language heard longest is
      // weighed by speech, not by the pauses a packed window spans.
      const chunk = db.prepare(
        'INSERT OR IGNORE INTO transcript_chunks (transcript_id, channel, start_ms, end_ms, language) VALUES (?, ?, ?, ?, ?)',
      );
      for (const r of partial.regions) {
        chunk.run(transcriptId, track, r.startMs, r.endMs, partial.language);
      }
      db.prepare('UPDATE transcripts SET language = ? WHERE id = ?').run(
        dominantLanguage(db, transcriptId),
        transcriptId,
      );
      const { duration_ms: duration, channels } = db
        .prepare('SELECT duration_ms, channels FROM transcripts WHERE id = ?')
        .get(transcriptId) as { duration_ms: number; channels: number | null };
      const tracks = params(job).splitChannels ? (channels ?? 1) : 1;
      const before = track === 0 ? 0 : track - 1;
      return {
        progress: duration
          ? Math.min(1, (before * duration + partial.endMs) / (tracks * duration))
          : 0,
        stage: tracks > 1 ? `transcribing channel ${track} of ${tracks}` : 'transcribing',
        checkpoint: { channel: track, doneMs: partial.endMs },
      };
    },

    finish(job) {
      const summary = summariseTranscript(db, transcriptOf(job));
      indexTranscript(db, summary.transcriptId);
      // The detector decided what Whisper heard, so it is named with the transcript.
      const vad = detectors.get(job.id);
      detectors.delete(job.id);
      const speechDetector = vad ? { vadModelId: vad.id, vadModelSha256: vad.sha256 } : {};
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
          ...speechDetector,
        },
      });
      return { ...summary, ...speechDetector };
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
