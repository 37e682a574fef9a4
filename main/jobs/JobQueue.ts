import { randomUUID } from 'node:crypto';

import type { AuditLog } from '../audit/AuditLog.js';
import { ToexError, fromSqliteError, type ErrorKind, type SerializedError } from '../errors.js';
import { getLogger } from '../log/log.js';
import { isProcessAlive } from '../processAlive.js';
import { writeTransaction, type Db } from '../store/EncryptedDatabase.js';

const log = getLogger('jobs');

/** paused: held by `requestPause`; it starts again only once released. */
export type JobState = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind: string;
  state: JobState;
  params: Record<string, unknown>;
  /** 0..1 */
  progress: number;
  stage: string | null;
  checkpoint: Record<string, unknown> | null;
  attempts: number;
  maxAttempts: number;
  cancelRequested: boolean;
  pauseRequested: boolean;
  ownerPid: number | null;
  workerPid: number | null;
  heartbeatAt: string | null;
  error: SerializedError | null;
  result: Record<string, unknown> | null;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface JobRow {
  id: string;
  kind: string;
  state: JobState;
  params: string;
  progress: number;
  stage: string | null;
  checkpoint: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: number;
  pause_requested: number;
  owner_pid: number | null;
  worker_pid: number | null;
  heartbeat_at: string | null;
  error_kind: string | null;
  error_message: string | null;
  result: string | null;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    params: JSON.parse(row.params) as Record<string, unknown>,
    progress: row.progress,
    stage: row.stage,
    checkpoint: row.checkpoint ? (JSON.parse(row.checkpoint) as Record<string, unknown>) : null,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    cancelRequested: row.cancel_requested === 1,
    pauseRequested: row.pause_requested === 1,
    ownerPid: row.owner_pid,
    workerPid: row.worker_pid,
    heartbeatAt: row.heartbeat_at,
    error: row.error_kind
      ? { kind: row.error_kind as ErrorKind, message: row.error_message ?? '' }
      : null,
    result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** A running job whose owner has not beaten its heart for this long is taken as dead. */
export const STALE_AFTER_MS = 30_000;

export interface Checkpoint {
  progress: number;
  stage?: string;
  checkpoint: Record<string, unknown>;
}

/**
 * The persisted job queue of one case. Every state change is a transaction
 * with its audit entry; results and the checkpoint that covers them are
 * committed together (see `commit`).
 */
export class JobQueue {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly actor: string,
  ) {}

  private tx<T>(what: string, fn: () => T): T {
    try {
      return writeTransaction(this.db, fn);
    } catch (err) {
      throw fromSqliteError(err, what);
    }
  }

  private row(id: string): JobRow {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) throw new ToexError('not-found', `no job ${id} in this case`);
    return row;
  }

  enqueue(
    kind: string,
    params: Record<string, unknown>,
    options: { maxAttempts?: number } = {},
  ): Job {
    const id = randomUUID();
    return this.tx('queueing the job', () => {
      this.db
        .prepare(
          `INSERT INTO jobs (id, kind, state, params, max_attempts, created_by, created_at)
           VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
        )
        .run(
          id,
          kind,
          JSON.stringify(params),
          options.maxAttempts ?? 3,
          this.actor,
          new Date().toISOString(),
        );
      this.audit.append({
        actor: this.actor,
        action: 'job.queue',
        subject: `job:${id}`,
        details: { kind },
      });
      log.info({ jobId: id, kind }, 'job queued');
      return toJob(this.row(id));
    });
  }

  /** Finds a job by its id or an unambiguous prefix of at least four characters. */
  get(idOrPrefix: string): Job {
    const exact = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(idOrPrefix) as
      JobRow | undefined;
    if (exact) return toJob(exact);
    if (idOrPrefix.length >= 4 && /^[0-9a-f-]+$/i.test(idOrPrefix)) {
      const rows = this.db
        .prepare(`SELECT * FROM jobs WHERE id LIKE ? || '%'`)
        .all(idOrPrefix.toLowerCase()) as JobRow[];
      if (rows.length === 1) return toJob(rows[0]!);
      if (rows.length > 1) {
        throw new ToexError('bad-input', `job id ${idOrPrefix} is ambiguous; give more of it`);
      }
    }
    throw new ToexError('not-found', `no job ${idOrPrefix} in this case`);
  }

  list(states?: readonly JobState[]): Job[] {
    const rows = this.db.prepare('SELECT * FROM jobs ORDER BY created_at, id').all() as JobRow[];
    return rows.map(toJob).filter((j) => !states || states.includes(j.state));
  }

  /** queued → running, owned by this process. */
  claim(id: string): Job {
    return this.tx('starting the job', () => {
      const row = this.row(id);
      if (row.state !== 'queued') {
        throw new ToexError('conflict', `job ${id} is ${row.state}, not queued`);
      }
      const now = new Date().toISOString();
      this.db
        .prepare(
          `UPDATE jobs SET state = 'running', attempts = attempts + 1, owner_pid = ?, worker_pid = NULL,
             heartbeat_at = ?, started_at = coalesce(started_at, ?) WHERE id = ?`,
        )
        .run(process.pid, now, now, id);
      this.audit.append({
        actor: this.actor,
        action: 'job.start',
        subject: `job:${id}`,
        details: { kind: row.kind, attempt: row.attempts + 1 },
      });
      return toJob(this.row(id));
    });
  }

  heartbeat(id: string, workerPid?: number): void {
    this.db
      .prepare(
        `UPDATE jobs SET heartbeat_at = ?, worker_pid = coalesce(?, worker_pid) WHERE id = ? AND state = 'running'`,
      )
      .run(new Date().toISOString(), workerPid ?? null, id);
  }

  /** Stores a piece of results (`write`) and the checkpoint that covers it, atomically. */
  commit(id: string, write: () => Checkpoint): void {
    this.tx('saving job results', () => {
      const next = write();
      this.db
        .prepare(
          `UPDATE jobs SET progress = ?, stage = ?, checkpoint = ?, heartbeat_at = ? WHERE id = ?`,
        )
        .run(
          next.progress,
          next.stage ?? null,
          JSON.stringify(next.checkpoint),
          new Date().toISOString(),
          id,
        );
    });
  }

  setProgress(id: string, progress: number, stage?: string): void {
    this.db
      .prepare(
        `UPDATE jobs SET progress = ?, stage = coalesce(?, stage) WHERE id = ? AND state = 'running'`,
      )
      .run(progress, stage ?? null, id);
  }

  /** What other processes (or this one) have asked of a running job, in one read. */
  requests(id: string): { cancel: boolean; pause: boolean } {
    const row = this.row(id);
    return { cancel: row.cancel_requested === 1, pause: row.pause_requested === 1 };
  }

  /** Names what a queued job is waiting for (a free engine), or clears it. */
  setWaiting(id: string, stage: string | null): void {
    this.db.prepare(`UPDATE jobs SET stage = ? WHERE id = ? AND state = 'queued'`).run(stage, id);
  }

  /**
   * Holds a job: a queued one is paused at once; a running one is asked to
   * stop at its next checkpoint, and its owner then marks it paused.
   */
  requestPause(idOrPrefix: string): Job {
    const { id } = this.get(idOrPrefix);
    return this.tx('pausing the job', () => {
      const row = this.row(id);
      if (row.state === 'queued') {
        this.db.prepare(`UPDATE jobs SET state = 'paused', stage = NULL WHERE id = ?`).run(id);
        this.audit.append({
          actor: this.actor,
          action: 'job.pause',
          subject: `job:${id}`,
          details: { kind: row.kind, progress: row.progress },
        });
      } else if (row.state === 'running' && row.pause_requested === 0) {
        this.db.prepare('UPDATE jobs SET pause_requested = 1 WHERE id = ?').run(id);
        this.audit.append({
          actor: this.actor,
          action: 'job.pause-requested',
          subject: `job:${id}`,
          details: { kind: row.kind },
        });
      } else if (row.state !== 'running') {
        throw new ToexError('conflict', `job ${id.slice(0, 8)} is already ${row.state}`);
      }
      return toJob(this.row(id));
    });
  }

  /** running → paused, once its worker has stopped at a checkpoint. */
  markPaused(id: string): Job {
    return this.tx('pausing the job', () => {
      const row = this.row(id);
      this.db
        .prepare(
          `UPDATE jobs SET state = 'paused', pause_requested = 0,
             owner_pid = NULL, worker_pid = NULL WHERE id = ?`,
        )
        .run(id);
      this.audit.append({
        actor: this.actor,
        action: 'job.pause',
        subject: `job:${id}`,
        details: { kind: row.kind, progress: row.progress, attempts: row.attempts },
      });
      log.info({ jobId: id }, 'job paused');
      return toJob(this.row(id));
    });
  }

  /**
   * Releases a paused job back to the queue (paused → queued). A running job
   * whose pause has not yet taken effect keeps running, its request withdrawn.
   * A queued job is left as it is.
   */
  release(idOrPrefix: string): Job {
    const { id } = this.get(idOrPrefix);
    return this.tx('resuming the job', () => {
      const row = this.row(id);
      if (row.state === 'queued') return toJob(row);
      const held = row.state === 'paused' || (row.state === 'running' && row.pause_requested === 1);
      if (!held) {
        throw new ToexError(
          'conflict',
          row.state === 'running'
            ? `job ${id.slice(0, 8)} is already running (process ${row.owner_pid})`
            : `job ${id.slice(0, 8)} is already ${row.state}`,
        );
      }
      this.db
        .prepare(
          `UPDATE jobs SET pause_requested = 0,
             state = CASE state WHEN 'paused' THEN 'queued' ELSE state END WHERE id = ?`,
        )
        .run(id);
      this.audit.append({
        actor: this.actor,
        action: 'job.resume',
        subject: `job:${id}`,
        details: { kind: row.kind, progress: row.progress },
      });
      return toJob(this.row(id));
    });
  }

  /** A queued or paused job is cancelled at once; a running one is asked to stop. */
  requestCancel(idOrPrefix: string): Job {
    const { id } = this.get(idOrPrefix);
    return this.tx('cancelling the job', () => {
      const row = this.row(id);
      if (row.state === 'queued' || row.state === 'paused') {
        this.end(row, 'cancelled', null, null);
      } else if (row.state === 'running') {
        this.db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(id);
        this.audit.append({
          actor: this.actor,
          action: 'job.cancel-requested',
          subject: `job:${id}`,
          details: { kind: row.kind },
        });
      } else {
        throw new ToexError('conflict', `job ${id.slice(0, 8)} is already ${row.state}`);
      }
      return toJob(this.row(id));
    });
  }

  finish(id: string, result: Record<string, unknown>): Job {
    return this.tx('finishing the job', () => this.end(this.row(id), 'done', null, result));
  }

  fail(id: string, error: SerializedError): Job {
    return this.tx('recording the job failure', () =>
      this.end(this.row(id), 'failed', error, null),
    );
  }

  markCancelled(id: string): Job {
    return this.tx('cancelling the job', () => this.end(this.row(id), 'cancelled', null, null));
  }

  /**
   * running → queued, to be resumed from its checkpoint; → paused instead if
   * a pause was asked for. `withdrawCancel` drops a cancel not yet carried out
   * (a second Ctrl-C means "leave now, go on next time").
   */
  requeue(id: string, reason: string, options: { withdrawCancel?: boolean } = {}): Job {
    return this.tx('requeueing the job', () => {
      const row = this.row(id);
      this.db
        .prepare(
          `UPDATE jobs SET state = CASE pause_requested WHEN 1 THEN 'paused' ELSE 'queued' END,
             pause_requested = 0, owner_pid = NULL, worker_pid = NULL,
             cancel_requested = CASE WHEN ? THEN 0 ELSE cancel_requested END WHERE id = ?`,
        )
        .run(options.withdrawCancel ? 1 : 0, id);
      this.audit.append({
        actor: this.actor,
        action: 'job.interrupted',
        subject: `job:${id}`,
        details: { kind: row.kind, attempt: row.attempts, reason },
      });
      log.warn(
        { jobId: id, attempt: row.attempts },
        'job interrupted; it will resume from its checkpoint',
      );
      return toJob(this.row(id));
    });
  }

  /**
   * Running jobs whose owning process has died (crash, kill -9, power loss)
   * go back to the queue so they resume from their checkpoint.
   */
  recoverInterrupted(): Job[] {
    const now = Date.now();
    const stale = (
      this.db.prepare(`SELECT * FROM jobs WHERE state = 'running'`).all() as JobRow[]
    ).filter((row) => {
      if (row.owner_pid === process.pid) return false;
      const beat = row.heartbeat_at ? Date.parse(row.heartbeat_at) : 0;
      return (
        row.owner_pid === null || !isProcessAlive(row.owner_pid) || now - beat > STALE_AFTER_MS
      );
    });
    return stale.map((row) => this.requeue(row.id, 'the process running it stopped'));
  }

  private end(
    row: JobRow,
    state: 'done' | 'failed' | 'cancelled',
    error: SerializedError | null,
    result: Record<string, unknown> | null,
  ): Job {
    this.db
      .prepare(
        `UPDATE jobs SET state = ?, error_kind = ?, error_message = ?, result = ?, finished_at = ?,
           pause_requested = 0,
           progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END WHERE id = ?`,
      )
      .run(
        state,
        error?.kind ?? null,
        error?.message ?? null,
        result ? JSON.stringify(result) : null,
        new Date().toISOString(),
        state,
        row.id,
      );
    const action = state === 'done' ? 'job.finish' : state === 'failed' ? 'job.fail' : 'job.cancel';
    this.audit.append({
      actor: this.actor,
      action,
      subject: `job:${row.id}`,
      details: {
        kind: row.kind,
        attempts: row.attempts,
        ...(error ? { error: error.kind, reason: error.message } : {}),
      },
    });
    log.info({ jobId: row.id, kind: row.kind, state }, 'job ended');
    return toJob(this.row(row.id));
  }
}
