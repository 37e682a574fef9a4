import type { AuditLog } from '../audit/AuditLog.js';
import type { Db } from '../store/EncryptedDatabase.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobKind } from '../jobs/JobRunner.js';
import type { HashInput, HashPartial } from '../../workers/hash/hashWorker.js';
import type { EvidenceStore } from './EvidenceStore.js';

export const VERIFY_EVIDENCE = 'evidence.verify';

/**
 * ok: the copy is a plain read-only file with its import hashes.
 * mismatch: its content changed. missing: it is gone. unreadable: it cannot be read.
 * replaced: something else (a link, a pipe, a folder) stands in its place.
 * unprotected: the content is intact but the file was made writable.
 */
export type CheckStatus = 'ok' | 'mismatch' | 'missing' | 'unreadable' | 'replaced' | 'unprotected';

export interface EvidenceCheck {
  evidenceId: number;
  status: CheckStatus;
  detail: string | null;
}

export interface VerifySummary {
  checked: number;
  ok: number;
  problems: EvidenceCheck[];
  /** Files in the evidence store that no register row accounts for, relative to the case. */
  unregistered: string[];
}

/**
 * Re-hashes every stored copy in a worker and compares it with the hashes
 * taken at import. Each file's outcome is a row of its own, and those rows are
 * the checkpoint: a resumed job skips the files it already checked.
 */
export function verifyEvidenceKind(
  db: Db,
  evidence: EvidenceStore,
  audit: AuditLog,
  actor: string,
): JobKind<HashInput, HashPartial> {
  const checkedIds = (jobId: string): Set<number> =>
    new Set(
      (
        db.prepare('SELECT evidence_id FROM evidence_checks WHERE job_id = ?').all(jobId) as {
          evidence_id: number;
        }[]
      ).map((r) => r.evidence_id),
    );

  /** The items in the job's scope, split by whether this job has checked them yet. */
  const coverage = (job: Job) => {
    const wanted = Array.isArray(job.params.evidenceIds)
      ? new Set(job.params.evidenceIds as number[])
      : undefined;
    const items = evidence.list().filter((item) => !wanted || wanted.has(item.id));
    const checked = checkedIds(job.id);
    const todo = items.filter((item) => !checked.has(item.id));
    const total = items.reduce((sum, item) => sum + item.size, 0);
    const todoBytes = todo.reduce((sum, item) => sum + item.size, 0);
    return {
      items,
      todo,
      total,
      doneBytes: total - todoBytes,
      doneItems: items.length - todo.length,
    };
  };

  return {
    kind: VERIFY_EVIDENCE,
    worker: 'hash/hashWorker',

    prepare(job) {
      const { todo, total, doneBytes } = coverage(job);
      return {
        input: todo.length
          ? {
              items: todo.map((item) => ({
                id: item.id,
                path: evidence.absolutePath(item),
                size: item.size,
              })),
            }
          : undefined,
        total,
        done: doneBytes,
      };
    },

    applyPartial(job, partial) {
      const item = evidence.get(partial.id);
      let status: CheckStatus;
      let detail: string | null = null;
      if (partial.state === 'hashed') {
        const same =
          partial.sha256 === item.sha256 && partial.md5 === item.md5 && partial.size === item.size;
        const writable = (partial.mode & 0o222) !== 0;
        status = !same ? 'mismatch' : writable ? 'unprotected' : 'ok';
        if (!same) {
          const found =
            partial.size > item.size
              ? `a file longer than ${item.size} bytes`
              : `${partial.sha256} (${partial.size} bytes)`;
          detail = `expected sha256 ${item.sha256} (${item.size} bytes), found ${found}`;
        } else if (writable) {
          detail = `the content matches, but the copy was made writable (mode ${partial.mode.toString(8).padStart(4, '0')})`;
        }
      } else {
        status = partial.state;
        detail = partial.detail;
      }
      db.prepare(
        `INSERT OR IGNORE INTO evidence_checks (job_id, evidence_id, status, size, sha256, md5, detail, checked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        job.id,
        item.id,
        status,
        partial.state === 'hashed' ? partial.size : null,
        partial.state === 'hashed' ? partial.sha256 : null,
        partial.state === 'hashed' ? partial.md5 : null,
        detail,
        new Date().toISOString(),
      );

      const { items, total, doneBytes, doneItems } = coverage(job);
      return {
        progress: total > 0 ? doneBytes / total : doneItems / Math.max(1, items.length),
        stage: 'hashing',
        checkpoint: { checkedItems: doneItems, checkedBytes: doneBytes },
      };
    },

    finish(job) {
      const summary = { ...summarise(db, job.id), unregistered: unregisteredCopies(evidence) };
      audit.append({
        actor,
        action: 'evidence.verify',
        subject: `job:${job.id}`,
        details: {
          checked: summary.checked,
          ok: summary.ok,
          problems: summary.problems.map((p) => ({ evidenceId: p.evidenceId, status: p.status })),
          unregistered: summary.unregistered.length,
        },
      });
      return { ...summary };
    },
  };
}

/**
 * Copies in the store with no register row: what a crash between storing a
 * copy and recording it leaves. Importing the original again registers it.
 */
function unregisteredCopies(evidence: EvidenceStore): string[] {
  const known = new Set(evidence.list().map((item) => item.storedPath));
  return evidence.storedFiles().filter((path) => !known.has(path));
}

function summarise(db: Db, jobId: string): Omit<VerifySummary, 'unregistered'> {
  const rows = db
    .prepare(
      'SELECT evidence_id, status, detail FROM evidence_checks WHERE job_id = ? ORDER BY evidence_id',
    )
    .all(jobId) as { evidence_id: number; status: CheckStatus; detail: string | null }[];
  return {
    checked: rows.length,
    ok: rows.filter((r) => r.status === 'ok').length,
    problems: rows
      .filter((r) => r.status !== 'ok')
      .map((r) => ({ evidenceId: r.evidence_id, status: r.status, detail: r.detail })),
  };
}
