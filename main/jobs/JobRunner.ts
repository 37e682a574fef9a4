import { ToexError, toToexError, type SerializedError } from '../errors.js';
import { getLogger } from '../log/log.js';
import type { WorkerToMain } from '../../workers/protocol.js';
import { WAITING_FOR_ENGINE, type EngineSlot, type EngineSlots } from './EngineSlots.js';
import type { Checkpoint, Job, JobQueue } from './JobQueue.js';
import type { WorkerHandle, WorkerHost } from './WorkerHost.js';
import { workerEntry } from './workerEntry.js';

const log = getLogger('jobs');

/** What is left of a job, worked out from its checkpoint before each attempt. */
export interface PreparedWork<Input> {
  /** undefined when nothing is left to do. */
  input: Input | undefined;
  /** Units (bytes, items) of the whole job, and of those already done. */
  total: number;
  done: number;
  /**
   * The input is one slice of the job (a case's texts, a slice at a time, so
   * that no message to a worker holds a million of them): once the worker has
   * done it, the job is prepared again from its checkpoint, in a new worker.
   */
  more?: boolean;
}

/**
 * One kind of job: which worker does it, how its results are stored and how
 * the job is summed up at the end.
 */
export interface JobKind<Input = unknown, Partial = unknown> {
  readonly kind: string;
  /** The worker script, e.g. `hash/hashWorker`. */
  readonly worker: string;
  /** Runs a model engine: it takes one of the workstation's engine slots while it works. */
  readonly usesEngine?: boolean;
  /** May look at the input first (probe a file); a ToexError thrown here fails the job with its reason. */
  prepare(job: Job): PreparedWork<Input> | Promise<PreparedWork<Input>>;
  /** Stores one partial result; runs inside the transaction that saves the checkpoint. */
  applyPartial(job: Job, partial: Partial): Checkpoint;
  finish(job: Job): Record<string, unknown>;
}

export interface JobProgress {
  jobId: string;
  kind: string;
  fraction: number;
  done: number;
  total: number;
  stage: string | null;
  /** Estimated seconds left, once there is enough to go on. */
  etaSeconds: number | null;
}

export interface RunnerOptions {
  pollMs?: number;
  heartbeatMs?: number;
  /** How long a worker has to stop after a cancel before it is killed. */
  stopDeadlineMs?: number;
  /**
   * A worker that sends nothing for this long is taken as hung (a read
   * blocked on a dead device, a native call that never returns), killed and
   * retried from the checkpoint like one that crashed.
   */
  stallMs?: number;
  /** The workstation-wide limit on running engines; the command line passes the workstation's. */
  // Not yet: a runner made without it (CaseStore.runner's default) starts engine jobs at
  // once, with no limit.
  engines?: EngineSlots;
}

type AttemptOutcome =
  | { type: 'done' }
  | { type: 'error'; error: SerializedError }
  | { type: 'cancelled' }
  | { type: 'paused' }
  | { type: 'crashed'; how: string };

const NO_LIMIT: EngineSlot = { heartbeat() {}, release() {} };

/**
 * Runs queued jobs of one case, one at a time, each in a worker process.
 * A worker that dies is restarted from the checkpoint until the job's
 * attempts are used up; a cancel, from this process or another, reaches the
 * worker through the database.
 */
export class JobRunner {
  private readonly kinds = new Map<string, JobKind>();
  private readonly listeners = new Set<(p: JobProgress) => void>();
  private readonly active = new Set<WorkerHandle>();
  private disposed = false;
  private stopping = false;
  private currentId: string | undefined;
  private readonly pollMs: number;
  private readonly heartbeatMs: number;
  private readonly stopDeadlineMs: number;
  private readonly stallMs: number;
  private readonly engines: EngineSlots | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly host: WorkerHost,
    kinds: readonly JobKind[],
    options: RunnerOptions = {},
  ) {
    for (const k of kinds) this.kinds.set(k.kind, k);
    this.pollMs = options.pollMs ?? 200;
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.stopDeadlineMs = options.stopDeadlineMs ?? 5000;
    this.stallMs = options.stallMs ?? 5 * 60_000;
    this.engines = options.engines;
  }

  onDidProgress(listener: (p: JobProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The job this runner is waiting for or running, if any. */
  get current(): string | undefined {
    return this.currentId;
  }

  /** Requeues jobs whose process died, then runs every queued job. */
  async runPending(onDidStart?: (job: Job, index: number, count: number) => void): Promise<Job[]> {
    this.queue.recoverInterrupted();
    return this.runEach(
      this.queue.list(['queued']).map((j) => j.id),
      onDidStart,
    );
  }

  /**
   * Runs the given jobs one after another. One that is no longer queued when
   * its turn comes (paused, cancelled, or taken by another process) is passed
   * over and returned as it stands; after `stopAfterCurrent` the rest are too.
   */
  async runEach(
    ids: readonly string[],
    onDidStart?: (job: Job, index: number, count: number) => void,
  ): Promise<Job[]> {
    const ran: Job[] = [];
    for (const [index, id] of ids.entries()) {
      const job = this.queue.get(id);
      if (job.state !== 'queued' || this.stopping || this.disposed) {
        ran.push(job);
        continue;
      }
      onDidStart?.(job, index, ids.length);
      ran.push(await this.run(id));
    }
    return ran;
  }

  /** Lets the current job end as it will, and starts no other. */
  stopAfterCurrent(): void {
    this.stopping = true;
  }

  async run(jobId: string): Promise<Job> {
    if (this.disposed) throw new ToexError('cancelled', 'the job runner is shutting down');
    const first = this.queue.get(jobId);
    const kind = this.kinds.get(first.kind);
    if (!kind) throw new ToexError('internal', `no handler for jobs of kind ${first.kind}`);
    if (first.state !== 'queued') {
      throw new ToexError('conflict', `job ${first.id.slice(0, 8)} is ${first.state}, not queued`);
    }

    this.currentId = first.id;
    try {
      for (;;) {
        // A retry may find the job paused meanwhile (a pause asked before the crash).
        const now = this.queue.get(first.id);
        if (now.state !== 'queued') return now;
        const slot = kind.usesEngine ? await this.waitForEngine(first.id) : NO_LIMIT;
        if (!slot) return this.queue.get(first.id);
        let job: Job;
        try {
          job = this.queue.claim(first.id);
        } catch (err) {
          slot.release();
          // Another process (a `jobs run` of its own) claimed it first, or paused it meanwhile.
          if (err instanceof ToexError && err.kind === 'conflict') return this.queue.get(first.id);
          throw err;
        }
        let outcome: AttemptOutcome;
        try {
          outcome = await this.attempt(kind, job, slot);
        } finally {
          slot.release();
        }
        const ended = this.settle(kind, job, outcome);
        if (ended) return ended;
      }
    } finally {
      this.currentId = undefined;
    }
  }

  /** Records an attempt's outcome; undefined when the job is to be tried again. */
  private settle(kind: JobKind, job: Job, outcome: AttemptOutcome): Job | undefined {
    switch (outcome.type) {
      case 'done':
        return this.queue.finish(job.id, kind.finish(this.queue.get(job.id)));
      case 'cancelled':
        return this.queue.markCancelled(job.id);
      case 'paused':
        return this.queue.markPaused(job.id);
      case 'error':
        return this.queue.fail(job.id, outcome.error);
      case 'crashed': {
        const how = outcome.how;
        if (this.disposed) {
          return this.queue.requeue(job.id, 'the runner shut down', { withdrawCancel: true });
        }
        if (job.attempts >= job.maxAttempts) {
          return this.queue.fail(job.id, {
            kind: 'engine',
            message: `the worker stopped unexpectedly (${how}) on each of ${job.attempts} attempts`,
          });
        }
        this.queue.requeue(job.id, `the worker stopped unexpectedly (${how})`);
        return undefined;
      }
    }
  }

  /**
   * Takes an engine slot, waiting while every one is taken. The job stays
   * queued meanwhile (no worker, no stall watchdog), so a cancel or pause
   * from anywhere ends the wait: then, or when the runner stops, undefined.
   */
  private async waitForEngine(jobId: string): Promise<EngineSlot | undefined> {
    if (!this.engines) return NO_LIMIT;
    let waiting = false;
    for (;;) {
      const job = this.queue.get(jobId);
      if (this.disposed || job.state !== 'queued') return undefined;
      const slot = this.engines.tryAcquire(jobId);
      if (slot) {
        if (waiting) this.queue.setWaiting(jobId, null);
        return slot;
      }
      if (!waiting) {
        waiting = true;
        this.queue.setWaiting(jobId, WAITING_FOR_ENGINE);
        log.info({ jobId }, 'waiting for a free engine');
        for (const l of this.listeners) {
          l({
            jobId,
            kind: job.kind,
            fraction: job.progress,
            done: 0,
            total: 0,
            stage: WAITING_FOR_ENGINE,
            etaSeconds: null,
          });
        }
      }
      // Each look is a write transaction on the workstation database: not too often.
      await new Promise((r) => setTimeout(r, Math.max(this.pollMs, 250)));
    }
  }

  private async attempt(kind: JobKind, job: Job, slot: EngineSlot): Promise<AttemptOutcome> {
    for (;;) {
      let work: PreparedWork<unknown>;
      try {
        work = await kind.prepare(this.queue.get(job.id));
      } catch (err) {
        return { type: 'error', error: toToexError(err).toJSON() };
      }
      if (work.input === undefined) return { type: 'done' };
      if (this.disposed) return { type: 'crashed', how: 'the runner shut down' };
      const outcome = await this.runWorker(kind, job, slot, work);
      if (outcome.type !== 'done' || !work.more) return outcome;
    }
  }

  private async runWorker(
    kind: JobKind,
    job: Job,
    slot: EngineSlot,
    work: PreparedWork<unknown>,
  ): Promise<AttemptOutcome> {
    const handle = this.host.start(workerEntry(kind.worker), kind.kind);
    this.active.add(handle);
    this.queue.heartbeat(job.id, handle.pid);
    log.info(
      { jobId: job.id, kind: job.kind, attempt: job.attempts, workerPid: handle.pid },
      'worker started',
    );

    const started = Date.now();
    let lastSaved = 0;
    let lastBeat = Date.now();
    let settled: AttemptOutcome | undefined;
    let cancelSentAt: number | undefined;
    let pauseWanted = false;
    let pausing = false;
    let lastHeard = Date.now();
    let stalled = false;

    return await new Promise<AttemptOutcome>((resolve) => {
      const stopWorker = (forPause: boolean): void => {
        pausing = forPause;
        cancelSentAt = Date.now();
        handle.send({ type: 'cancel', jobId: job.id });
      };
      const stopped = (): AttemptOutcome => (pausing ? { type: 'paused' } : { type: 'cancelled' });

      const finish = (outcome: AttemptOutcome): void => {
        clearInterval(timer);
        this.active.delete(handle);
        resolve(outcome);
      };

      const report = (doneInAttempt: number, stage: string | null): void => {
        const done = work.done + doneInAttempt;
        const fraction = work.total > 0 ? Math.min(1, done / work.total) : 0;
        const rate = doneInAttempt / Math.max(1, Date.now() - started);
        const etaSeconds =
          rate > 0 && Date.now() - started > 1000
            ? Math.round((work.total - done) / rate / 1000)
            : null;
        for (const l of this.listeners) {
          l({
            jobId: job.id,
            kind: job.kind,
            fraction,
            done,
            total: work.total,
            stage,
            etaSeconds,
          });
        }
        if (Date.now() - lastSaved > 500) {
          lastSaved = Date.now();
          this.queue.setProgress(job.id, fraction, stage ?? undefined);
        }
      };

      handle.onDidMessage((message: WorkerToMain) => {
        if (settled || message.jobId !== job.id) return;
        lastHeard = Date.now();
        switch (message.type) {
          case 'progress':
            report(message.done, message.stage ?? null);
            break;
          case 'partial':
            try {
              this.queue.commit(job.id, () =>
                kind.applyPartial(this.queue.get(job.id), message.payload),
              );
              // A pause waits for a checkpoint, so the worker stops with nothing unsaved.
              // Not yet: the chunk in hand (up to 30 s of audio) must finish first, which a
              // slow machine can take a minute over.
              if (pauseWanted && cancelSentAt === undefined) stopWorker(true);
            } catch (err) {
              settled = {
                type: 'error',
                error:
                  err instanceof ToexError
                    ? err.toJSON()
                    : { kind: 'internal', message: String(err) },
              };
              handle.kill();
            }
            break;
          case 'done':
            settled = { type: 'done' };
            finish(settled);
            break;
          case 'error':
            // After a second Ctrl-C the job is to resume next time, whatever
            // the worker says as it goes: its exit settles the attempt.
            if (message.error.kind === 'cancelled' && this.disposed) break;
            settled =
              message.error.kind === 'cancelled'
                ? stopped()
                : { type: 'error', error: message.error };
            finish(settled);
            break;
        }
      });

      handle.onDidExit(({ code, signal }) => {
        if (settled) return finish(settled);
        if (cancelSentAt !== undefined && !this.disposed) return finish(stopped());
        log.warn({ jobId: job.id, code, signal, stalled }, 'worker exited without finishing');
        const how = stalled
          ? `sent nothing for ${Math.round(this.stallMs / 1000)} s and was stopped`
          : signal
            ? `signal ${signal}`
            : `exit code ${code}`;
        finish({ type: 'crashed', how });
      });

      const timer = setInterval(() => {
        const now = Date.now();
        const asked = cancelSentAt === undefined ? this.queue.requests(job.id) : undefined;
        if (asked?.cancel) {
          stopWorker(false);
        } else if (asked?.pause) {
          pauseWanted = true;
        } else if (cancelSentAt !== undefined && now - cancelSentAt > this.stopDeadlineMs) {
          handle.kill();
        }
        if (!stalled && now - lastHeard > this.stallMs) {
          stalled = true;
          handle.kill();
        }
        if (now - lastBeat > this.heartbeatMs) {
          lastBeat = now;
          this.queue.heartbeat(job.id);
          slot.heartbeat();
        }
      }, this.pollMs);

      handle.send({ type: 'start', jobId: job.id, input: work.input });
    });
  }

  /** Stops every worker this runner started; their jobs resume later from their checkpoints. */
  dispose(): void {
    this.disposed = true;
    for (const handle of this.active) handle.kill();
  }
}
