import type { AuditLog } from '../audit/AuditLog.js';
import { ToexError } from '../errors.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobKind } from '../jobs/JobRunner.js';
import type { Db } from '../store/EncryptedDatabase.js';
import type { GlossaryTerm } from '../../workers/translate/keepIntact.js';
import type { TranslateInput, TranslatePartial } from '../../workers/translate/translateWorker.js';
import { manifestEntry } from '../../models/modelManifest.js';
import { translationModel } from './translationModel.js';

export const TRANSLATE = 'translate';
/** What every stored translation names as the engine that made it. */
export const TRANSLATION_ENGINE = 'onnxruntime-node (TOEX Marian decoder)';

/** Messages a worker is given at a time; each new worker loads the model again (about 0.3 s). */
const SLICE = 1000;

export interface TranslateParams {
  from: string;
  to: string;
  modelId: string;
  /** The model hash checked when the job was queued; a model changed since is refused. */
  modelSha256: string;
  threadId?: number;
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
}

/** The messages of a job's scope in its source language with no translation from its model yet. */
function pending(p: TranslateParams): { sql: string; args: unknown[] } {
  return {
    sql: `FROM messages m JOIN message_languages l ON l.message_id = m.id
      WHERE m.id > ? AND (l.language = ? OR l.language LIKE ?)
        AND m.body IS NOT NULL AND trim(m.body) <> ''
        ${p.threadId === undefined ? '' : 'AND m.thread_id = ?'}
        AND NOT EXISTS (SELECT 1 FROM translations t
          WHERE t.message_id = m.id AND t.target_language = ? AND t.model_id = ?)`,
    args: [
      p.from,
      `${p.from}-%`,
      ...(p.threadId === undefined ? [] : [p.threadId]),
      p.to,
      p.modelId,
    ],
  };
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
  slice = SLICE,
): JobKind<TranslateInput, TranslatePartial> {
  const params = (job: Job) => job.params as unknown as TranslateParams;
  const checkpoint = (job: Job) => ({
    lastId: Number(job.checkpoint?.lastId ?? 0),
    done: Number(job.checkpoint?.done ?? 0),
  });
  const insert = db.prepare(
    `INSERT INTO translations (message_id, source_language, target_language, engine, model_id,
       model_sha256, text, confidence, flags, job_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const index = db.prepare('INSERT INTO translations_fts (rowid, text) VALUES (?, ?)');

  return {
    kind: TRANSLATE,
    worker: 'translate/translateWorker',
    usesEngine: true,

    async prepare(job) {
      const p = params(job);
      const model = await translationModel(manifestEntry(p.modelId));
      if (model.sha256 !== p.modelSha256) {
        throw new ToexError(
          'conflict',
          `the translation model ${p.modelId} has changed since the job was queued; queue it again`,
        );
      }
      const { lastId, done } = checkpoint(job);
      const scope = pending(p);
      const texts = db
        .prepare(`SELECT m.id, m.body AS text ${scope.sql} ORDER BY m.id LIMIT ${slice}`)
        .all(lastId, ...scope.args) as { id: number; text: string }[];
      if (texts.length === 0) return { input: undefined, total: done, done };
      const left = (
        db.prepare(`SELECT count(*) AS n ${scope.sql}`).get(lastId, ...scope.args) as { n: number }
      ).n;
      return {
        input: {
          modelDir: model.dir,
          modelId: model.id,
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
      const p = params(job);
      const now = new Date().toISOString();
      for (const r of partial.results) {
        const flags = JSON.stringify(r.truncated ? ['truncated'] : []);
        const row = insert.run(
          r.id,
          p.from,
          p.to,
          TRANSLATION_ENGINE,
          p.modelId,
          p.modelSha256,
          r.text,
          Math.min(1, Math.max(0, r.confidence)),
          flags,
          job.id,
          now,
        );
        index.run(row.lastInsertRowid, r.text);
      }
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
      };
      audit.append({
        actor,
        action: 'messages.translate',
        subject: p.threadId === undefined ? 'messages' : `thread:${p.threadId}`,
        details: { jobId: job.id, ...summary, glossaryTerms: p.glossary.length },
      });
      return { ...summary };
    },
  };
}
