import { join } from 'node:path';

import type { AuditLog } from '../audit/AuditLog.js';
import type { EvidenceStore } from '../evidence/EvidenceStore.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobKind } from '../jobs/JobRunner.js';
import { ToexError } from '../errors.js';
import type { Db } from '../store/EncryptedDatabase.js';
import { sha256OfFile } from '../../models/modelManifest.js';
import { PROGRESS_UNITS } from '../../workers/ingest/ingestLimits.js';
import { BUILTIN_MAPPINGS } from '../../workers/ingest/mappings/builtinMappings.js';
import type { IngestInput, IngestPartial } from '../../workers/ingest/ingestWorker.js';
import { IngestStore, type IngestCounts } from './IngestStore.js';

export const INGEST = 'ingest';

export interface IngestParams {
  evidenceId: number;
  /** The device's country, for numbers written without a country code. */
  region: string;
  /** The zone the device's clock was set to, for sources that write local times with no zone. */
  timeZone?: string;
  /** The name the device's owner appears under, for sources that name every sender. */
  ownerName?: string;
  /**
   * The mapping the user gave (--mapping), kept whole in the job so that a
   * resumed attempt reads the file exactly as the first did.
   */
  mapping?: JobMapping;
}

/** A mapping as a job holds it: its name, the SHA-256 of its text, and the text. */
export interface JobMapping {
  name: string;
  sha256: string;
  json: string;
}

export interface IngestSummary extends IngestCounts {
  evidenceId: number;
  format: string | null;
  formatLabel: string | null;
  /** The mapping a tabular export was read through, given or built in, by name and hash. */
  mapping: { name: string; sha256: string; builtin: boolean } | null;
}

/**
 * Reads one extraction in a worker. Each batch is stored with the count of
 * records read so far as the checkpoint, so a crash keeps what was stored and
 * the resumed attempt skips exactly those records.
 */
export function ingestKind(
  db: Db,
  caseDir: string,
  evidence: EvidenceStore,
  audit: AuditLog,
  actor: string,
): JobKind<IngestInput, IngestPartial> {
  const params = (job: Job) => job.params as unknown as IngestParams;
  const store = new IngestStore(db);

  return {
    kind: INGEST,
    worker: 'ingest/ingestWorker',

    async prepare(job) {
      const item = evidence.get(params(job).evidenceId);
      // What is read must be what was imported: a copy changed since is not read at all.
      const sha256 = await sha256OfFile(evidence.absolutePath(item), `item ${item.id}`);
      if (sha256 !== item.sha256) {
        throw new ToexError(
          'conflict',
          `the stored copy of item ${item.id} no longer matches the SHA-256 recorded when it was imported; nothing was read (see toex evidence verify)`,
        );
      }
      return {
        input: {
          path: evidence.absolutePath(item),
          name: item.originalName,
          workDir: join(caseDir, 'work', job.id),
          region: params(job).region,
          ...(params(job).timeZone ? { timeZone: params(job).timeZone } : {}),
          ...(params(job).ownerName ? { ownerName: params(job).ownerName } : {}),
          skip: Number(job.checkpoint?.records ?? 0),
          ...(params(job).mapping ? { mapping: params(job).mapping!.json } : {}),
        },
        total: PROGRESS_UNITS,
        done: 0,
      };
    },

    applyPartial(job, partial) {
      store.apply(params(job).evidenceId, partial.records);
      db.prepare(
        `INSERT INTO ingests (job_id, evidence_id, format, format_label) VALUES (?, ?, ?, ?)
         ON CONFLICT (job_id) DO NOTHING`,
      ).run(job.id, params(job).evidenceId, partial.format.id, partial.format.label);
      return {
        progress: job.progress,
        stage: 'reading',
        checkpoint: { records: partial.emitted },
      };
    },

    finish(job) {
      const summary = summariseIngest(db, store, job);
      audit.append({
        actor,
        action: 'evidence.ingest',
        subject: `evidence:${summary.evidenceId}`,
        details: { jobId: job.id, ...summary },
      });
      return { ...summary };
    },
  };
}

/** Which mapping read the item: the one the job was given, or the built-in its format names. */
export function mappingUsed(params: IngestParams, format: string | null): IngestSummary['mapping'] {
  if (params.mapping) {
    const { name, sha256 } = params.mapping;
    return { name, sha256, builtin: BUILTIN_MAPPINGS.get(name)?.sha256 === sha256 };
  }
  const builtin = format?.startsWith('export.') ? BUILTIN_MAPPINGS.get(format.slice(7)) : undefined;
  return builtin ? { name: builtin.mapping.name, sha256: builtin.sha256, builtin: true } : null;
}

export function summariseIngest(db: Db, store: IngestStore, job: Job): IngestSummary {
  const params = job.params as unknown as IngestParams;
  const evidenceId = params.evidenceId;
  const format = db
    .prepare('SELECT format, format_label FROM ingests WHERE job_id = ?')
    .get(job.id) as { format: string; format_label: string } | undefined;
  return {
    evidenceId,
    format: format?.format ?? null,
    formatLabel: format?.format_label ?? null,
    mapping: mappingUsed(params, format?.format ?? null),
    ...store.counts(evidenceId),
  };
}
