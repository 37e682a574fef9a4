import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { AuditLog, type AuditHead } from '../audit/AuditLog.js';
import { ToexError } from '../errors.js';
import { EvidenceStore, type ImportOptions, type ImportResult } from '../evidence/EvidenceStore.js';
import { verifyEvidenceKind } from '../evidence/verifyEvidenceJob.js';
import { JobQueue, type Job } from '../jobs/JobQueue.js';
import { JobRunner, type RunnerOptions } from '../jobs/JobRunner.js';
import { ForkWorkerHost, type WorkerHost } from '../jobs/WorkerHost.js';
import { getLogger } from '../log/log.js';
import { openEncryptedDatabase, writeTransaction, type Db } from '../store/EncryptedDatabase.js';
import { migrate } from '../store/migrate.js';
import {
  TRANSCRIBE,
  transcribeKind,
  type TranscribeParams,
} from '../transcription/transcribeJob.js';
import { renderTranscript } from '../transcription/export/renderTranscript.js';
import type {
  ExportFormat,
  TranscriptDocument,
} from '../transcription/export/TranscriptDocument.js';
import {
  SPEAKERS,
  SPEAKER_MODEL_ID,
  checkSpeakerOptions,
  speakersKind,
  type SpeakersParams,
} from '../transcription/speakersJob.js';
import { transcriptDocument } from '../transcription/transcriptDocument.js';
import { TranscriptStore } from '../transcription/TranscriptStore.js';
import { transcriptionLanguage } from '../transcription/whisperLanguages.js';
import { identifyModel } from '../../models/modelManifest.js';
import { DETECT, detectKind } from '../language/detectJob.js';
import { CaseTranslations } from '../translation/CaseTranslations.js';
import { translateKind } from '../translation/translateJob.js';
import { INGEST, ingestKind, mappingUsed, type IngestParams } from '../ingest/ingestJob.js';
import {
  linkVoiceNotes,
  untranscribedVoiceNotes,
  type VoiceNoteLinks,
} from '../ingest/voiceNotes.js';
import { isSupportedCountry } from 'libphonenumber-js';
import { isTimeZone } from '../../workers/ingest/localTime.js';
import { mappingSource } from '../../workers/ingest/mappings/builtinMappings.js';
import { caseMigrations } from './caseSchema.js';
import type { Classification } from './classification.js';

const log = getLogger('cases');

export interface CaseInfo {
  id: string;
  reference: string;
  title: string;
  owner: string;
  classification: Classification;
  status: 'open' | 'closed';
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
}

/** Where a case's audit head is recorded outside the case (the workstation's register). */
export interface AuditAnchor {
  get(): AuditHead;
  set(head: AuditHead): void;
}

export function caseDatabasePath(caseDir: string): string {
  return join(caseDir, 'case.db');
}

/** The model file named by its SHA-256 against the manifest, refused unless Whisper runs it. */
async function speechModel(modelPath: string) {
  const model = await identifyModel(modelPath);
  if (model.entry.engine !== 'whisper.cpp') {
    throw new ToexError('bad-input', `${model.entry.id} is not a speech recognition model`);
  }
  return model;
}

/**
 * One open case: its own encrypted database, evidence store, job queue and
 * audit log. Dispose it with `close`, which also records the audit head.
 */
export class CaseStore {
  readonly audit: AuditLog;
  readonly evidence: EvidenceStore;
  readonly jobs: JobQueue;
  readonly transcripts: TranscriptStore;
  readonly translations: CaseTranslations;
  private anchorPending = false;
  private closed = false;

  private constructor(
    readonly db: Db,
    readonly info: CaseInfo,
    readonly dir: string,
    readonly actor: string,
    private readonly anchor: AuditAnchor,
    /** The data folder the case is in: its models folder holds the imported models. */
    readonly home: string,
  ) {
    this.audit = new AuditLog(db, () => this.scheduleAnchor());
    this.evidence = new EvidenceStore(db, this.audit, dir, actor);
    this.jobs = new JobQueue(db, this.audit, actor);
    this.transcripts = new TranscriptStore(db, this.audit, actor);
    this.translations = new CaseTranslations(this);
  }

  static create(
    dir: string,
    key: Buffer,
    info: CaseInfo,
    actor: string,
    anchor: AuditAnchor,
    home: string,
  ): CaseStore {
    mkdirSync(join(dir, 'evidence'), { recursive: true, mode: 0o700 });
    const db = openEncryptedDatabase({
      path: caseDatabasePath(dir),
      key,
      create: true,
      label: `case ${info.reference}'s database`,
    });
    migrate(db, caseMigrations, `case ${info.reference}'s database`);
    const store = new CaseStore(db, info, dir, actor, anchor, home);
    writeTransaction(db, () => {
      const put = db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)');
      put.run('id', info.id);
      put.run('reference', info.reference);
      put.run('classification', info.classification);
      store.audit.append({
        actor,
        action: 'case.create',
        subject: `case:${info.id}`,
        details: {
          reference: info.reference,
          title: info.title,
          owner: info.owner,
          classification: info.classification,
        },
      });
    });
    store.syncAnchor();
    return store;
  }

  static open(
    dir: string,
    key: Buffer,
    info: CaseInfo,
    actor: string,
    anchor: AuditAnchor,
    home: string,
  ): CaseStore {
    const label = `case ${info.reference}'s database`;
    const db = openEncryptedDatabase({ path: caseDatabasePath(dir), key, create: false, label });
    try {
      migrate(db, caseMigrations, label);
      const id = (
        db.prepare(`SELECT value FROM case_meta WHERE key = 'id'`).get() as
          { value: string } | undefined
      )?.value;
      if (id !== info.id) throw new ToexError('storage', `${label} belongs to another case`);
    } catch (err) {
      db.close();
      throw err;
    }
    const store = new CaseStore(db, info, dir, actor, anchor, home);
    store.evidence.cleanIncoming();
    store.jobs.recoverInterrupted();
    return store;
  }

  assertOpen(doing: string): void {
    if (this.info.status !== 'open') {
      throw new ToexError(
        'conflict',
        `case ${this.info.reference} is closed; reopen it before ${doing}`,
      );
    }
  }

  async importEvidence(path: string, options: ImportOptions = {}): Promise<ImportResult> {
    this.assertOpen('adding evidence');
    return this.evidence.import(path, options);
  }

  /** Starts a re-hash of every stored copy as a job; run it with `runner()`. */
  queueVerify(evidenceIds?: number[]) {
    return this.jobs.enqueue('evidence.verify', evidenceIds ? { evidenceIds } : {});
  }

  /** Queues a transcription of one recording; see `queueTranscriptions`. */
  async queueTranscription(
    evidenceId: number,
    modelPath: string,
    options: { language?: string; threads?: number; splitChannels?: boolean } = {},
  ): Promise<Job> {
    const [job] = await this.queueTranscriptions([evidenceId], modelPath, options);
    return job!;
  }

  /**
   * Queues a transcription of each recording, all or none: every item, the
   * model and the options are checked first. The model file is named by its
   * SHA-256 against the manifest: an unknown or altered file is refused.
   */
  async queueTranscriptions(
    evidenceIds: readonly number[],
    modelPath: string,
    options: { language?: string; threads?: number; splitChannels?: boolean } = {},
  ): Promise<Job[]> {
    this.assertOpen('transcribing');
    for (const evidenceId of evidenceIds) this.evidence.get(evidenceId);
    return this.enqueueTranscriptions(
      evidenceIds,
      modelPath,
      await speechModel(modelPath),
      options,
    );
  }

  /**
   * Copies the audio attachments of extracted messages (of every extraction,
   * or of those given) into the case as items of their own, each linked to its
   * message, then queues a transcription of every linked voice note not yet
   * transcribed. The model is checked before anything is copied.
   */
  async queueVoiceNotes(
    modelPath: string,
    options: {
      extractionIds?: readonly number[];
      language?: string;
      threads?: number;
      onProgress?: (done: number, total: number) => void;
    } = {},
  ): Promise<{ links: VoiceNoteLinks; jobs: Job[]; undecodable: number[] }> {
    this.assertOpen('transcribing voice notes');
    const model = await speechModel(modelPath);
    const links = await linkVoiceNotes(
      this.db,
      this.evidence,
      join(this.dir, 'work', 'voice-notes'),
      {
        ...(options.extractionIds ? { extractionIds: options.extractionIds } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
    const { ids, undecodable } = untranscribedVoiceNotes(this.db, options.extractionIds);
    const jobs = ids.length ? this.enqueueTranscriptions(ids, modelPath, model, options) : [];
    return { links, jobs, undecodable };
  }

  private enqueueTranscriptions(
    evidenceIds: readonly number[],
    modelPath: string,
    { entry, file }: Awaited<ReturnType<typeof speechModel>>,
    options: { language?: string; threads?: number; splitChannels?: boolean },
  ): Job[] {
    const language = transcriptionLanguage(options.language, entry);
    const threads = options.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
      throw new ToexError('bad-input', 'threads must be a whole number from 1 to 64');
    }
    return writeTransaction(this.db, () =>
      evidenceIds.map((evidenceId) => {
        const params: TranscribeParams = {
          evidenceId,
          modelPath: resolve(modelPath),
          modelId: entry.id,
          modelSha256: file.sha256,
          language,
          threads,
          ...(options.splitChannels ? { splitChannels: true } : {}),
        };
        const job = this.jobs.enqueue(TRANSCRIBE, { ...params });
        this.db
          .prepare(
            `INSERT INTO transcripts (evidence_id, job_id, engine, model_id, model_sha256, created_by, created_at)
           VALUES (?, ?, 'whisper.cpp 1.5.0', ?, ?, ?, ?)`,
          )
          .run(evidenceId, job.id, entry.id, file.sha256, this.actor, new Date().toISOString());
        return job;
      }),
    );
  }

  /**
   * Queues speaker separation for a finished transcript: each segment's voice
   * is measured by the speaker encoder and segments are grouped by voice into
   * suggested speakers ("Speaker A", "Speaker B"), which officers confirm by labelling.
   */
  async queueSpeakers(
    transcriptId: number,
    modelPath: string,
    options: { speakers?: number; threshold?: number; threads?: number } = {},
  ): Promise<Job> {
    this.assertOpen('suggesting speakers');
    const t = this.transcripts.get(transcriptId);
    const checked = checkSpeakerOptions(options);
    const state = this.jobs.get(t.jobId).state;
    if (state !== 'done') {
      throw new ToexError(
        'conflict',
        `transcript ${transcriptId} is not finished (its job is ${state}); speakers can be suggested once it is`,
      );
    }
    const { entry, file } = await identifyModel(modelPath);
    if (entry.id !== SPEAKER_MODEL_ID) {
      throw new ToexError('bad-input', `${entry.id} is not a speaker model`);
    }
    const params: SpeakersParams = {
      transcriptId,
      modelPath: resolve(modelPath),
      modelId: entry.id,
      modelSha256: file.sha256,
      ...checked,
    };
    return this.jobs.enqueue(SPEAKERS, { ...params });
  }

  /** One version of a transcript (default: the newest) with what an export says about the case. */
  transcriptDocument(transcriptId: number, version?: number): TranscriptDocument {
    const t = this.transcripts.get(transcriptId);
    return transcriptDocument(
      {
        caseInfo: this.info,
        item: this.evidence.get(t.evidenceId),
        transcripts: this.transcripts,
        exportedBy: this.actor,
      },
      transcriptId,
      version,
    );
  }

  /**
   * Renders one version of a transcript, hands the bytes to `write` and
   * records the export in the audit with the hash of exactly what was written,
   * so a disclosed copy can be matched to the version and the moment it came from.
   */
  exportTranscript(
    transcriptId: number,
    options: { format: ExportFormat; version?: number; write: (bytes: Buffer) => void },
  ): { bytes: number; sha256: string; version: number; draft: boolean } {
    // A transcript whose job stopped part-way would read as the whole interview.
    // Not yet: an export of an unfinished transcript marked INCOMPLETE, with the time it covers.
    const state = this.jobs.get(this.transcripts.get(transcriptId).jobId).state;
    if (state !== 'done') {
      throw new ToexError(
        'conflict',
        `transcript ${transcriptId} is not finished (its job is ${state}); it can be exported once it is`,
      );
    }
    const doc = this.transcriptDocument(transcriptId, options.version);
    const bytes = renderTranscript(doc, options.format);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    options.write(bytes);
    const draft = doc.signOff === null;
    this.audit.append({
      actor: this.actor,
      action: 'transcript.export',
      subject: `transcript:${transcriptId}`,
      details: { version: doc.transcript.version, format: options.format, draft, sha256 },
    });
    return { bytes: bytes.length, sha256, version: doc.transcript.version, draft };
  }

  /**
   * Queues a read of one extraction (a phone's database or export) into the
   * case's messages. `region` is the device's country, for numbers written
   * without a country code; `timeZone` and `ownerName` say what a WhatsApp
   * export leaves out. `mapping` reads a tabular export (CSV, JSON) through a
   * declared mapping, checked here and kept whole in the job.
   */
  queueIngest(
    evidenceId: number,
    options: {
      region?: string;
      timeZone?: string;
      ownerName?: string;
      mapping?: { json: string; origin: string };
    } = {},
  ): Job {
    this.assertOpen('ingesting');
    this.evidence.get(evidenceId);
    const region = (options.region ?? 'GB').toUpperCase();
    if (!isSupportedCountry(region)) {
      throw new ToexError(
        'bad-input',
        `unknown country "${region}" (use a code such as GB, RO, AL)`,
      );
    }
    if (options.timeZone !== undefined && !isTimeZone(options.timeZone)) {
      throw new ToexError(
        'bad-input',
        `unknown time zone "${options.timeZone}" (use an IANA name such as Europe/London)`,
      );
    }
    const ownerName = options.ownerName?.trim();
    if (options.ownerName !== undefined && (!ownerName || ownerName.length > 200)) {
      throw new ToexError('bad-input', "the owner's name is empty or over 200 characters");
    }
    const params: IngestParams = {
      evidenceId,
      region,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      ...(ownerName ? { ownerName } : {}),
    };
    if (options.mapping) {
      const checked = mappingSource(options.mapping.json, options.mapping.origin);
      params.mapping = { name: checked.mapping.name, sha256: checked.sha256, json: checked.json };
    }
    this.assertSameReading(params);
    return this.jobs.enqueue(INGEST, { ...params });
  }

  /**
   * An item is read one way: its records' keys are the same whatever the
   * region, zone, owner or mapping, so a second reading made another way
   * would add people and threads beside the first's and count messages twice.
   */
  private assertSameReading(params: IngestParams): void {
    const earlier = this.db
      .prepare(
        `SELECT j.params, i.format FROM jobs j LEFT JOIN ingests i ON i.job_id = j.id
         WHERE j.kind = ? AND j.state NOT IN ('failed', 'cancelled')
           AND json_extract(j.params, '$.evidenceId') = ? ORDER BY j.created_at LIMIT 1`,
      )
      .get(INGEST, params.evidenceId) as { params: string; format: string | null } | undefined;
    if (!earlier) return;
    const before = JSON.parse(earlier.params) as IngestParams;
    // A CSV read without --mapping was read through the built-in its header matched.
    const used = mappingUsed(before, earlier.format);
    const sameMapping = params.mapping
      ? used?.sha256 === params.mapping.sha256
      : used === null || (used.builtin && !before.mapping);
    const differs = [
      before.region !== params.region ? `--region ${before.region}` : null,
      (before.timeZone ?? null) !== (params.timeZone ?? null)
        ? before.timeZone
          ? `--timezone ${before.timeZone}`
          : 'no --timezone'
        : null,
      (before.ownerName ?? null) !== (params.ownerName ?? null)
        ? before.ownerName
          ? 'another --owner'
          : 'no --owner'
        : null,
      sameMapping ? null : used ? `mapping ${used.name}` : 'no mapping',
    ].filter((d): d is string => d !== null);
    if (differs.length) {
      throw new ToexError(
        'conflict',
        `item ${params.evidenceId} was ingested with ${differs.join(', ')}; reading it again another way would mix two readings (give the same options)`,
      );
    }
  }

  /**
   * Queues language detection over the case's messages: those with no
   * language yet, or one an older detector told. One job at a time: a
   * detection already queued or running is returned rather than doubled.
   */
  queueDetect(): Job {
    this.assertOpen('detecting languages');
    const pending = this.jobs.list(['queued', 'running']).find((j) => j.kind === DETECT);
    return pending ?? this.jobs.enqueue(DETECT, {});
  }

  runner(host: WorkerHost = new ForkWorkerHost(), options?: RunnerOptions): JobRunner {
    return new JobRunner(
      this.jobs,
      host,
      [
        verifyEvidenceKind(this.db, this.evidence, this.audit, this.actor),
        transcribeKind(this.db, this.evidence, this.audit, this.actor),
        speakersKind(this.db, this.evidence, this.audit, this.actor),
        ingestKind(this.db, this.dir, this.evidence, this.audit, this.actor),
        detectKind(this.db, this.audit, this.actor),
        translateKind(this.db, this.audit, this.actor, this.transcripts, this.home),
      ],
      options,
    );
  }

  /** The head as the workstation recorded it, for `audit.verify`. */
  anchoredHead(): AuditHead {
    return this.anchor.get();
  }

  /**
   * Records the audit head in the workstation's register once the current
   * transaction is over, so a rolled-back entry is never anchored. The anchor
   * only moves forward, and only over a chain that still holds the entry it
   * last recorded.
   */
  private scheduleAnchor(): void {
    if (this.anchorPending) return;
    this.anchorPending = true;
    setImmediate(() => this.syncAnchor());
  }

  syncAnchor(): void {
    this.anchorPending = false;
    if (this.closed) return;
    const head = this.audit.head();
    const anchored = this.anchor.get();
    if (head.seq <= anchored.seq) return;
    if (anchored.seq > 0) {
      const row = this.db.prepare('SELECT hash FROM audit WHERE seq = ?').get(anchored.seq) as
        { hash: string } | undefined;
      if (row?.hash !== anchored.hash) {
        log.error(
          { caseId: this.info.id, anchoredSeq: anchored.seq },
          'audit chain no longer holds the anchored entry; anchor kept',
        );
        return;
      }
    }
    this.anchor.set(head);
  }

  close(): void {
    if (this.closed) return;
    this.syncAnchor();
    this.closed = true;
    this.db.close();
  }
}
