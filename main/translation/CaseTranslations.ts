import { createHash } from 'node:crypto';

import type { CaseStore } from '../cases/CaseStore.js';
import { ToexError } from '../errors.js';
import type { Job } from '../jobs/JobQueue.js';
import { writeTransaction } from '../store/EncryptedDatabase.js';
import type { GlossaryTerm } from '../../workers/translate/keepIntact.js';
import { renderTranslationCsv } from './export/renderTranslationCsv.js';
import { renderTranslationDocx } from './export/renderTranslationDocx.js';
import { renderTranslationXlsx } from './export/renderTranslationXlsx.js';
import {
  segmentTranslationRows,
  translationRows,
  type TranslationRow,
  type TranslationTable,
} from './export/TranslationTable.js';
import { UNDETERMINED } from '../../workers/language/languageCodes.js';
import { TRANSLATE, untranslatedSegments, type TranslateParams } from './translateJob.js';
import { routeId, routeModels, translationRoute } from './translationModel.js';
import {
  correctSegmentTranslation,
  correctTranslation,
  segmentTranslations,
  type MessageTranslation,
  type SegmentTranslation,
} from './TranslationStore.js';

/** What `queue` set going, and what it left, for the caller to say. */
export interface QueuedTranslation {
  jobs: Job[];
  /** Languages with messages but no model here into the target, with their counts. */
  unsupported: { language: string; messages: number }[];
  /** Messages whose language could not be told (emoji, figures, a word or two). */
  undetermined: number;
  /** Messages already translated by the model chosen: kept as they are, not redone. */
  kept: number;
}

/**
 * A case's machine translations: queueing them (messages, a selection, a
 * transcript), a reviewer's corrections and the exports, each audited.
 */
export class CaseTranslations {
  constructor(
    private readonly store: Pick<
      CaseStore,
      | 'db'
      | 'jobs'
      | 'audit'
      | 'actor'
      | 'transcripts'
      | 'evidence'
      | 'info'
      | 'home'
      | 'assertOpen'
    >,
  ) {}

  /**
   * Queues translation into `to` of the case's messages (or one thread's, or
   * a selection): a job for each language they were told to be in that the
   * models here translate into `to`, with one model or two through English.
   * The languages with messages but no such route are returned with their
   * counts, for the caller to say so.
   */
  async queue(options: {
    to: string;
    threadId?: number;
    messageIds?: number[];
    beamSize?: number;
    batchSize?: number;
    threads?: number;
    glossary?: GlossaryTerm[];
  }): Promise<QueuedTranslation> {
    this.store.assertOpen('translating');
    const db = this.store.db;
    const thread = options.threadId;
    if (thread !== undefined && !db.prepare('SELECT 1 FROM threads WHERE id = ?').get(thread)) {
      throw new ToexError('not-found', `no thread ${thread} in this case`);
    }
    // Only the ids that are messages of the case are kept with the job.
    const picked =
      options.messageIds === undefined
        ? undefined
        : (
            db
              .prepare(
                'SELECT id FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id',
              )
              .all(JSON.stringify(options.messageIds)) as { id: number }[]
          ).map((r) => r.id);
    if (picked?.length === 0) {
      throw new ToexError('not-found', 'none of the messages given is in this case');
    }
    const scope = `FROM message_languages l JOIN messages m ON m.id = l.message_id
      WHERE m.body IS NOT NULL AND trim(m.body) <> ''
        ${thread === undefined ? '' : 'AND m.thread_id = ?'}
        ${picked === undefined ? '' : 'AND m.id IN (SELECT value FROM json_each(?))'}`;
    const args = [
      ...(thread === undefined ? [] : [thread]),
      ...(picked === undefined ? [] : [JSON.stringify(picked)]),
    ];
    const languages = db
      .prepare(
        `SELECT substr(l.language, 1, instr(l.language || '-', '-') - 1) AS language,
           count(*) AS messages ${scope} GROUP BY 1 ORDER BY messages DESC, 1`,
      )
      .all(...args) as { language: string; messages: number }[];
    const translatedBy = db.prepare(
      `SELECT count(*) AS n ${scope} AND l.language = ? AND EXISTS (SELECT 1 FROM translations t
         WHERE t.message_id = m.id AND t.target_language = ? AND t.model_id = ?)`,
    );

    const out: QueuedTranslation = { jobs: [], unsupported: [], undetermined: 0, kept: 0 };
    for (const { language, messages } of languages) {
      if (language === options.to) continue;
      if (language === UNDETERMINED) {
        out.undetermined = messages;
        continue;
      }
      const route = translationRoute(language, options.to, this.store.home);
      if (route.length === 0) {
        out.unsupported.push({ language, messages });
        continue;
      }
      const model = await routeModels(route, this.store.home);
      out.kept += (translatedBy.get(...args, language, options.to, model.id) as { n: number }).n;
      const params: TranslateParams = {
        from: language,
        to: options.to,
        modelId: model.id,
        modelSha256: model.sha256,
        route: model.legs,
        ...(thread === undefined ? {} : { threadId: thread }),
        ...(picked === undefined ? {} : { messageIds: picked }),
        beamSize: options.beamSize ?? 4,
        batchSize: options.batchSize ?? 8,
        threads: options.threads ?? 2,
        glossary: options.glossary ?? [],
      };
      out.jobs.push(this.store.jobs.enqueue(TRANSLATE, { ...params }));
    }
    return out;
  }

  /**
   * Queues translation into `to` of a finished transcript, segment by
   * segment, as it reads at `version` (default: the newest), from the
   * language Whisper heard in it.
   */
  async queueTranscript(
    transcriptId: number,
    options: { to: string; version?: number; beamSize?: number; glossary?: GlossaryTerm[] },
  ): Promise<Job> {
    this.store.assertOpen('translating');
    const transcript = this.store.transcripts.get(transcriptId);
    const state = this.store.jobs.get(transcript.jobId).state;
    if (state !== 'done') {
      throw new ToexError(
        'conflict',
        `transcript ${transcriptId} is not finished (its job is ${state}); it can be translated once it is`,
      );
    }
    const version = options.version ?? this.store.transcripts.currentVersion(transcriptId);
    this.store.transcripts.segmentsAt(transcriptId, version);
    const from = transcript.language ?? 'und';
    const route = translationRoute(from, options.to, this.store.home);
    if (route.length === 0) {
      throw new ToexError(
        'bad-input',
        `transcript ${transcriptId} is in ${from}; no model here translates ${from} into ${options.to}`,
      );
    }
    const model = await routeModels(route, this.store.home);
    const params: TranslateParams = {
      from,
      to: options.to,
      modelId: model.id,
      modelSha256: model.sha256,
      route: model.legs,
      transcript: { id: transcriptId, version },
      beamSize: options.beamSize ?? 4,
      batchSize: 8,
      threads: 2,
      glossary: options.glossary ?? [],
    };
    return this.store.jobs.enqueue(TRANSLATE, { ...params });
  }

  /**
   * Queues translation into `to` of the voice notes' transcripts, for the
   * case's messages (or one thread's, or a selection): one job for each
   * voice note whose newest finished transcript is in a language a model
   * here translates into `to` and has segments its model has not yet
   * translated at the transcript's newest version. The languages no model
   * here reads are returned with their counts of voice notes.
   */
  async queueVoiceNotes(options: {
    to: string;
    threadId?: number;
    messageIds?: number[];
    beamSize?: number;
    glossary?: GlossaryTerm[];
  }): Promise<{ jobs: Job[]; unsupported: { language: string; voiceNotes: number }[] }> {
    this.store.assertOpen('translating');
    const notes = this.store.db
      .prepare(
        `SELECT DISTINCT t.id, coalesce(t.language, 'und') AS language
         FROM voice_notes v JOIN messages m ON m.id = v.message_id
           JOIN transcripts t ON t.id = (
             SELECT t2.id FROM transcripts t2 JOIN jobs j2 ON j2.id = t2.job_id
             WHERE t2.evidence_id = v.evidence_id AND j2.state = 'done'
             ORDER BY t2.id DESC LIMIT 1)
         WHERE (? IS NULL OR m.thread_id = ?)
           AND (? IS NULL OR m.id IN (SELECT value FROM json_each(?)))
         ORDER BY t.id`,
      )
      .all(
        options.threadId ?? null,
        options.threadId ?? null,
        options.messageIds === undefined ? null : 1,
        JSON.stringify(options.messageIds ?? []),
      ) as { id: number; language: string }[];
    const jobs: Job[] = [];
    const unsupported = new Map<string, number>();
    for (const note of notes) {
      if (note.language === options.to) continue;
      const route = translationRoute(note.language, options.to, this.store.home);
      if (route.length === 0) {
        unsupported.set(note.language, (unsupported.get(note.language) ?? 0) + 1);
        continue;
      }
      const version = this.store.transcripts.currentVersion(note.id);
      const { pending } = untranslatedSegments(
        this.store.db,
        this.store.transcripts,
        { id: note.id, version },
        { from: note.language, to: options.to, modelId: routeId(route.map((e) => e.id)) },
      );
      if (pending.length === 0) continue;
      jobs.push(
        await this.queueTranscript(note.id, {
          to: options.to,
          version,
          ...(options.beamSize === undefined ? {} : { beamSize: options.beamSize }),
          ...(options.glossary === undefined ? {} : { glossary: options.glossary }),
        }),
      );
    }
    return {
      jobs,
      unsupported: [...unsupported].map(([language, voiceNotes]) => ({ language, voiceNotes })),
    };
  }

  /**
   * Writes the case's translations (or one thread's, or those from the
   * languages given), or one transcript's at a version (default: the
   * newest), as a CSV, XLSX or DOCX table, and audits the SHA-256 of the
   * bytes written.
   */
  export(options: {
    format: 'csv' | 'xlsx' | 'docx';
    threadId?: number;
    languages?: string[];
    transcript?: { id: number; version?: number };
    write: (bytes: Buffer) => void;
  }): { rows: number; bytes: number; sha256: string } {
    const db = this.store.db;
    const thread = options.threadId;
    if (thread !== undefined && !db.prepare('SELECT 1 FROM threads WHERE id = ?').get(thread)) {
      throw new ToexError('not-found', `no thread ${thread} in this case`);
    }
    const { rows, about, subject } =
      options.transcript === undefined
        ? {
            rows: translationRows(db, {
              ...(thread === undefined ? {} : { threadId: thread }),
              ...(options.languages === undefined ? {} : { languages: options.languages }),
            }),
            about: thread === undefined ? 'Messages' : `Messages of thread ${thread}`,
            subject: thread === undefined ? 'messages' : `thread:${thread}`,
          }
        : this.transcriptRows(options.transcript.id, options.transcript.version);
    if (rows.length === 0) {
      throw new ToexError(
        'not-found',
        options.transcript === undefined
          ? 'no translations match (toex translate makes them; `toex translate` says which languages have no model here)'
          : `transcript ${options.transcript.id} has no translations at that version (toex translate --transcript makes them)`,
      );
    }
    const table: TranslationTable = {
      caseReference: this.store.info.reference,
      classification: this.store.info.classification,
      exportedAt: new Date().toISOString(),
      exportedBy: this.store.actor,
      of: options.transcript === undefined ? 'messages' : 'segments',
      about,
      rows,
    };
    const render = {
      csv: renderTranslationCsv,
      xlsx: renderTranslationXlsx,
      docx: renderTranslationDocx,
    }[options.format];
    const bytes = render(table);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    options.write(bytes);
    this.store.audit.append({
      actor: this.store.actor,
      action: 'translation.export',
      subject,
      details: { format: options.format, rows: rows.length, sha256 },
    });
    return { rows: rows.length, bytes: bytes.length, sha256 };
  }

  /** A transcript's segment translations at `version` (default: the newest), as export rows. */
  private transcriptRows(
    id: number,
    version?: number,
  ): { rows: TranslationRow[]; about: string; subject: string } {
    const transcript = this.store.transcripts.get(id);
    const at = version ?? this.store.transcripts.currentVersion(id);
    const segments = this.store.transcripts.segmentsAt(id, at);
    const item = this.store.evidence.get(transcript.evidenceId);
    return {
      rows: segmentTranslationRows(segments, segmentTranslations(this.store.db, id, at)),
      about: `Transcript ${id} of evidence item ${item.id} (${item.originalName}), version ${at}`,
      subject: `transcript:${id}`,
    };
  }

  /** A reviewer's correction of a translation, as its next version, audited. */
  correct(change: {
    id: number;
    text: string;
    reason: string;
    basedOn?: number;
  }): MessageTranslation {
    this.store.assertOpen('correcting a translation');
    return writeTransaction(this.store.db, () => {
      const saved = correctTranslation(this.store.db, { ...change, author: this.store.actor });
      this.store.audit.append({
        actor: this.store.actor,
        action: 'translation.correct',
        subject: `translation:${saved.id}`,
        details: { messageId: saved.messageId, version: saved.version, reason: change.reason },
      });
      return saved;
    });
  }

  /** A reviewer's correction of a transcript segment's translation, as its next version, audited. */
  correctSegment(change: {
    id: number;
    text: string;
    reason: string;
    basedOn?: number;
  }): SegmentTranslation {
    this.store.assertOpen('correcting a translation');
    return writeTransaction(this.store.db, () => {
      const saved = correctSegmentTranslation(this.store.db, {
        ...change,
        author: this.store.actor,
      });
      this.store.audit.append({
        actor: this.store.actor,
        action: 'translation.correct',
        subject: `segment-translation:${saved.id}`,
        details: {
          transcriptId: saved.transcriptId,
          segmentId: saved.segmentId,
          version: saved.version,
          reason: change.reason,
        },
      });
      return saved;
    });
  }
}
