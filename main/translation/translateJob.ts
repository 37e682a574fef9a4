import type { AuditLog } from '../audit/AuditLog.js';
import { ToexError } from '../errors.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobKind } from '../jobs/JobRunner.js';
import type { Db } from '../store/EncryptedDatabase.js';
import type { TranscriptStore } from '../transcription/TranscriptStore.js';
import type { GlossaryTerm } from '../../workers/translate/keepIntact.js';
import type { TranslateInput, TranslatePartial } from '../../workers/translate/translateWorker.js';
import { manifestEntry } from '../../models/modelManifest.js';
import { translationModel, type RouteLeg } from './translationModel.js';
import { mayBeIn } from '../../workers/language/languageCodes.js';

export const TRANSLATE = 'translate';
/** What every stored translation names as the engine that made it. */
export const TRANSLATION_ENGINE = 'onnxruntime-node (TOEX Marian decoder)';

/** Messages a worker is given at a time; each new worker loads the model again (about 0.3 s). */
const SLICE = 1000;

export interface TranslateParams {
  from: string;
  to: string;
  modelId: string;
  /**
   * The model hash checked when the job was queued (through English, the
   * hash of both models' hashes); a model changed since is refused.
   */
  modelSha256: string;
  /** The model, or the two through English, each checked again at every slice. */
  route: RouteLeg[];
  threadId?: number;
  /** A selection: only these messages (those of them in the source language). */
  messageIds?: number[];
  /** A transcript instead of messages: its segments as they read at this version. */
  transcript?: { id: number; version: number };
  beamSize: number;
  batchSize: number;
  threads: number;
  glossary: GlossaryTerm[];
}

export interface TranslateSummary {
  from: string;
  to: string;
  modelId: string;
  modelSha256: string;
  translated: number;
  /**
   * A transcript's segments with no letter of the source language's own
   * script (English heard in a Chinese interview): left as they are.
   */
  otherScript?: number;
}

/** What a job translates: its texts still to do, and where their translations go. */
interface TranslationSource {
  /** Texts after `lastId` with no translation from the job's model yet, in id order. */
  pending(lastId: number, limit: number): { texts: { id: number; text: string }[]; left: number };
  store(results: TranslatePartial['results'], job: Job): void;
  subject: string;
  /** Texts of the scope left untranslated as not written in the source language's script. */
  otherScript?(): number;
}

/** The messages of a job's scope in its source language with no translation from its model yet. */
function messageSource(db: Db, p: TranslateParams): TranslationSource {
  const scope = `FROM messages m JOIN message_languages l ON l.message_id = m.id
    WHERE m.id > ? AND (l.language = ? OR l.language LIKE ?)
      AND m.body IS NOT NULL AND trim(m.body) <> ''
      ${p.threadId === undefined ? '' : 'AND m.thread_id = ?'}
      ${p.messageIds === undefined ? '' : 'AND m.id IN (SELECT value FROM json_each(?))'}
      AND NOT EXISTS (SELECT 1 FROM translations t
        WHERE t.message_id = m.id AND t.target_language = ? AND t.model_id = ?)`;
  const args = [
    p.from,
    `${p.from}-%`,
    ...(p.threadId === undefined ? [] : [p.threadId]),
    ...(p.messageIds === undefined ? [] : [JSON.stringify(p.messageIds)]),
    p.to,
    p.modelId,
  ];
  const insert = db.prepare(
    `INSERT INTO translations (message_id, source_language, target_language, engine, model_id,
       model_sha256, text, confidence, flags, via_text, job_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const index = db.prepare('INSERT INTO translations_fts (rowid, text) VALUES (?, ?)');
  const select = db.prepare(`SELECT m.id, m.body AS text ${scope} ORDER BY m.id LIMIT ?`);
  const counted = db.prepare(`SELECT count(*) AS n ${scope}`);
  return {
    pending(lastId, limit) {
      const texts = select.all(lastId, ...args, limit) as { id: number; text: string }[];
      const left = (counted.get(lastId, ...args) as { n: number }).n;
      return { texts, left };
    },
    store(results, job) {
      const now = new Date().toISOString();
      for (const r of results) {
        const row = insert.run(r.id, ...machineColumns(p, r, job.id, now));
        index.run(row.lastInsertRowid, r.text);
      }
    },
    subject:
      p.threadId !== undefined
        ? `thread:${p.threadId}`
        : p.messageIds !== undefined
          ? `messages:${p.messageIds.length}`
          : 'messages',
  };
}

/**
 * The segments of a transcript at `version` that a model translating `from`
 * into `to` has still to translate: those with text in `from`'s script and
 * no translation by that model yet. Apart from them, how many segments are
 * written in none of its letters (left as they are).
 */
export function untranslatedSegments(
  db: Db,
  transcripts: TranscriptStore,
  transcript: { id: number; version: number },
  p: Pick<TranslateParams, 'from' | 'to' | 'modelId'>,
): { pending: { id: number; text: string }[]; otherScript: number } {
  const translated = new Set(
    (
      db
        .prepare(
          `SELECT segment_id FROM segment_translations WHERE transcript_id = ?
             AND transcript_version = ? AND target_language = ? AND model_id = ?`,
        )
        .all(transcript.id, transcript.version, p.to, p.modelId) as { segment_id: number }[]
    ).map((r) => r.segment_id),
  );
  const segments = transcripts
    .segmentsAt(transcript.id, transcript.version)
    .filter((s) => s.text.trim() !== '');
  return {
    pending: segments
      .filter((s) => mayBeIn(p.from, s.text) && !translated.has(s.id))
      .sort((a, b) => a.id - b.id)
      .map((s) => ({ id: s.id, text: s.text })),
    otherScript: segments.filter((s) => !mayBeIn(p.from, s.text)).length,
  };
}

/** A transcript's segments, as they read at the job's version, not yet translated by its model. */
function segmentSource(
  db: Db,
  transcripts: TranscriptStore,
  p: TranslateParams,
  transcript: { id: number; version: number },
): TranslationSource {
  const insert = db.prepare(
    `INSERT INTO segment_translations (transcript_id, segment_id, transcript_version,
       source_language, target_language, engine, model_id, model_sha256, text, confidence, flags,
       via_text, job_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    pending(lastId, limit) {
      const all = untranslatedSegments(db, transcripts, transcript, p).pending.filter(
        (s) => s.id > lastId,
      );
      return { texts: all.slice(0, limit), left: all.length };
    },
    store(results, job) {
      const now = new Date().toISOString();
      for (const r of results) {
        insert.run(transcript.id, r.id, transcript.version, ...machineColumns(p, r, job.id, now));
      }
    },
    subject: `transcript:${transcript.id}`,
    otherScript: () => untranslatedSegments(db, transcripts, transcript, p).otherScript,
  };
}

/**
 * The columns every stored translation ends with, messages' and segments'
 * alike: languages, what made it, its text, confidence and flags, the job
 * and the time.
 */
function machineColumns(
  p: TranslateParams,
  r: TranslatePartial['results'][number],
  jobId: string,
  now: string,
): unknown[] {
  return [
    p.from,
    p.to,
    TRANSLATION_ENGINE,
    p.modelId,
    p.modelSha256,
    r.text,
    Math.min(1, Math.max(0, r.confidence)),
    JSON.stringify(r.flags),
    r.via ?? null,
    jobId,
    now,
  ];
}

/**
 * Translates the messages of a case (or one thread) told to be in the job's
 * source language, a slice at a time, in a worker that runs the model. Each
 * batch of results is stored with the last message id as the checkpoint, so
 * a killed job resumes after it and a second run translates nothing twice.
 */
export function translateKind(
  db: Db,
  audit: AuditLog,
  actor: string,
  transcripts: TranscriptStore,
  home: string,
  slice = SLICE,
): JobKind<TranslateInput, TranslatePartial> {
  const params = (job: Job) => job.params as unknown as TranslateParams;
  const checkpoint = (job: Job) => ({
    lastId: Number(job.checkpoint?.lastId ?? 0),
    done: Number(job.checkpoint?.done ?? 0),
  });
  // One source per job, its statements prepared once, not at every stored batch.
  const sources = new Map<string, TranslationSource>();
  const source = (job: Job): TranslationSource => {
    let found = sources.get(job.id);
    if (!found) {
      const p = params(job);
      found = p.transcript ? segmentSource(db, transcripts, p, p.transcript) : messageSource(db, p);
      sources.set(job.id, found);
    }
    return found;
  };

  return {
    kind: TRANSLATE,
    worker: 'translate/translateWorker',
    usesEngine: true,

    async prepare(job) {
      const p = params(job);
      if (!Array.isArray(p.route)) {
        throw new ToexError(
          'conflict',
          'this translation job was queued by an earlier toex; cancel it and queue it again',
        );
      }
      const models = [];
      for (const leg of p.route) {
        const model = await translationModel(manifestEntry(leg.modelId, home), {
          dir: leg.modelDir,
        });
        if (model.sha256 !== leg.modelSha256) {
          throw new ToexError(
            'conflict',
            `the translation model ${leg.modelId} has changed since the job was queued; queue it again`,
          );
        }
        models.push({ dir: model.dir, id: model.id });
      }
      const { lastId, done } = checkpoint(job);
      const { texts, left } = source(job).pending(lastId, slice);
      if (texts.length === 0) return { input: undefined, total: done, done };
      return {
        input: {
          models,
          threads: p.threads,
          beamSize: p.beamSize,
          batchSize: p.batchSize,
          glossary: p.glossary,
          texts,
        },
        total: done + left,
        done,
        more: texts.length === slice,
      };
    },

    applyPartial(job, partial) {
      source(job).store(partial.results, job);
      const { lastId, done } = checkpoint(job);
      return {
        progress: job.progress,
        stage: 'translating',
        checkpoint: {
          lastId: partial.results.at(-1)?.id ?? lastId,
          done: done + partial.results.length,
        },
      };
    },

    finish(job) {
      const p = params(job);
      const summary: TranslateSummary = {
        from: p.from,
        to: p.to,
        modelId: p.modelId,
        modelSha256: p.modelSha256,
        translated: checkpoint(job).done,
        ...(p.transcript ? { otherScript: source(job).otherScript?.() ?? 0 } : {}),
      };
      audit.append({
        actor,
        action: p.transcript ? 'transcript.translate' : 'messages.translate',
        subject: source(job).subject,
        details: { jobId: job.id, ...summary, glossaryTerms: p.glossary.length },
      });
      return { ...summary };
    },
  };
}
