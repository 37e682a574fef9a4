import type { CaseStore } from '../cases/CaseStore.js';
import type { EngineSlots } from '../jobs/EngineSlots.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobRunner } from '../jobs/JobRunner.js';
import { getLogger } from '../log/log.js';

const log = getLogger('api');

/** What to do once a job has ended: queue the work that needed its result. */
export type AfterJob = (ended: Job) => Promise<void> | void;

/**
 * Runs a case's queued jobs in the background, one at a time, each in a
 * worker, while the window stays free: the window asks, gets the job ids at
 * once and follows them through `onDidChange`. A job can name what comes
 * after it (translation after language detection), queued only once it is
 * done. Queued jobs of the case left by another process are run too, as
 * `toex jobs run` would.
 */
// Not yet: the results are stored in this process, the one serving the window, so a large
// ingest's batches pause the window for up to about 0.3 s at a time.
export class CaseJobs {
  private runner: JobRunner | undefined;
  private draining: Promise<void> | undefined;
  private readonly after = new Map<string, AfterJob>();
  private disposed = false;

  constructor(
    private readonly store: CaseStore,
    private readonly engines: EngineSlots,
    private readonly onDidChange: (job: Job) => void,
  ) {}

  /** Starts the jobs given (already queued), and `then` after the last of them. */
  start(jobs: readonly Job[], then?: AfterJob): void {
    for (const job of jobs) this.onDidChange(job);
    const last = jobs.at(-1);
    if (last && then) this.after.set(last.id, then);
    this.pump();
  }

  /** Cancels a queued job at once, a running one at its worker's next checkpoint. */
  cancel(jobId: string): Job {
    const job = this.store.jobs.requestCancel(jobId);
    this.onDidChange(job);
    return job;
  }

  /** A job of the case is running here, or about to. */
  get busy(): boolean {
    return this.draining !== undefined;
  }

  /** Resolves once nothing is running or queued: for shutdown and for tests. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  dispose(): void {
    this.disposed = true;
    this.runner?.dispose();
  }

  private pump(): void {
    if (this.draining || this.disposed) return;
    this.draining = this.drain()
      .catch((err: unknown) => log.error({ caseId: this.store.info.id, err }, 'job runner stopped'))
      .finally(() => {
        this.draining = undefined;
      });
  }

  private async drain(): Promise<void> {
    const runner = this.ensureRunner();
    for (;;) {
      if (this.disposed) return;
      const next = this.store.jobs.list(['queued'])[0];
      if (!next) return;

      const ended = await runner.run(next.id);
      this.onDidChange(ended);

      const then = this.after.get(next.id);
      this.after.delete(next.id);
      if (then) await this.follow(then, ended);
    }
  }

  private async follow(then: AfterJob, ended: Job): Promise<void> {
    try {
      await then(ended);
    } catch (err) {
      log.warn({ caseId: this.store.info.id, jobId: ended.id, err }, 'follow-up work not queued');
    }
  }

  private ensureRunner(): JobRunner {
    if (this.runner) return this.runner;
    const runner = this.store.runner(undefined, { engines: this.engines });
    runner.onDidProgress((p) => {
      const job = this.store.jobs.get(p.jobId);
      this.onDidChange({ ...job, state: 'running', progress: p.fraction, stage: p.stage });
    });
    this.runner = runner;
    return runner;
  }
}
