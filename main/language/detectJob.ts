import type { AuditLog } from '../audit/AuditLog.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobKind } from '../jobs/JobRunner.js';
import type { Db } from '../store/EncryptedDatabase.js';
import type { DetectInput, DetectPartial } from '../../workers/language/detectWorker.js';
import { DETECTOR } from '../../workers/language/languageCodes.js';

export const DETECT = 'language.detect';

/**
 * Texts a worker is given at a time. A slice is one message to the worker
 * (at most a few tens of MB, each text cut to its first 1,000 characters);
 * each new slice costs a worker's start and the detector's load, about a
 * second.
 */
const SLICE = 50_000;
const SAMPLE_CHARS = 1000;

export interface LanguageCount {
  language: string;
  messages: number;
  /** Of those, how many the detector called unreliable (short or mixed text). */
  unreliable: number;
}

export interface DetectSummary {
  detector: string;
  /** Messages whose language this job told. */
  detected: number;
  /** Every message of the case by language, this job's and earlier ones'. */
  languages: LanguageCount[];
}

/** Messages with no language yet, or one an older detector told, after `afterId`. */
const PENDING = `FROM messages m LEFT JOIN message_languages l ON l.message_id = m.id
  WHERE m.id > ? AND (l.message_id IS NULL OR l.detector <> ?)`;

/** The case's messages by language, most first; messages never detected are not counted. */
export function languageCounts(db: Db): LanguageCount[] {
  return db
    .prepare(
      `SELECT language, count(*) AS messages, count(*) FILTER (WHERE reliable = 0) AS unreliable
       FROM message_languages GROUP BY language ORDER BY messages DESC, language`,
    )
    .all() as LanguageCount[];
}

/** How many of the case's messages have no language from the current detector. */
export function undetectedMessages(db: Db): number {
  return (db.prepare(`SELECT count(*) AS n ${PENDING}`).get(0, DETECTOR) as { n: number }).n;
}

/**
 * Tells the language of every message of the case that has none from the
 * current detector, in a worker, a slice at a time. The checkpoint is the
 * last message id stored, so a resumed job goes on after it, and a second
 * run finds nothing to do.
 */
export function detectKind(
  db: Db,
  audit: AuditLog,
  actor: string,
  slice = SLICE,
): JobKind<DetectInput, DetectPartial> {
  const checkpoint = (job: Job) => ({
    lastId: Number(job.checkpoint?.lastId ?? 0),
    done: Number(job.checkpoint?.done ?? 0),
  });
  const upsert = db.prepare(
    `INSERT INTO message_languages (message_id, language, confidence, reliable, detector, job_id)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (message_id) DO UPDATE SET language = excluded.language,
       confidence = excluded.confidence, reliable = excluded.reliable,
       detector = excluded.detector, job_id = excluded.job_id`,
  );

  return {
    kind: DETECT,
    worker: 'language/detectWorker',

    prepare(job) {
      const { lastId, done } = checkpoint(job);
      const texts = db
        .prepare(
          // A "media omitted" line is the app's own words in its display language, not the
          // sender's: it is given no language (und), so it is neither counted nor translated.
          `SELECT m.id, CASE WHEN m.flags LIKE '%"media-omitted"%' THEN ''
             ELSE coalesce(substr(m.body, 1, ${SAMPLE_CHARS}), '') END AS text ${PENDING}
           ORDER BY m.id LIMIT ${slice}`,
        )
        .all(lastId, DETECTOR) as { id: number; text: string }[];
      if (texts.length === 0) return { input: undefined, total: done, done };
      const left = (
        db.prepare(`SELECT count(*) AS n ${PENDING}`).get(lastId, DETECTOR) as {
          n: number;
        }
      ).n;
      return { input: { texts }, total: done + left, done, more: texts.length === slice };
    },

    applyPartial(job, partial) {
      for (const r of partial.results) {
        upsert.run(r.id, r.language, r.confidence, r.reliable ? 1 : 0, partial.detector, job.id);
      }
      const { done } = checkpoint(job);
      return {
        progress: job.progress,
        stage: 'detecting',
        checkpoint: {
          lastId: partial.results.at(-1)?.id ?? checkpoint(job).lastId,
          done: done + partial.results.length,
        },
      };
    },

    finish(job) {
      const summary: DetectSummary = {
        detector: DETECTOR,
        detected: checkpoint(job).done,
        languages: languageCounts(db),
      };
      audit.append({
        actor,
        action: 'messages.detect-language',
        subject: 'messages',
        details: { jobId: job.id, ...summary },
      });
      return { ...summary };
    },
  };
}
