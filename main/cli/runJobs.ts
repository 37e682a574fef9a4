import type { CaseStore } from '../cases/CaseStore.js';
import type { Job } from '../jobs/JobQueue.js';
import type { CliContext } from './context.js';
import { progressSink } from './progressBar.js';

/**
 * Runs jobs in this process with a progress display. Ctrl-C asks the
 * running job to stop (it is then cancelled, with its results so far kept);
 * a second Ctrl-C leaves at once and the job resumes on the next run.
 */
export async function runWithProgress(
  ctx: CliContext,
  store: CaseStore,
  run: (runner: ReturnType<CaseStore['runner']>) => Promise<Job[]>,
): Promise<Job[]> {
  const runner = store.runner();
  const sink = progressSink({ json: ctx.json, title: 'Job' });
  const unsubscribe = runner.onDidProgress((p) => sink.update(p.done, p.total, p.stage ?? ''));

  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts += 1;
    if (interrupts > 1) {
      runner.dispose();
      return;
    }
    // Only the jobs this process runs: another terminal's jobs on the same case are theirs.
    for (const job of store.jobs.list(['running'])) {
      if (job.ownerPid === process.pid) store.jobs.requestCancel(job.id);
    }
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await run(runner);
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
    sink.stop();
    runner.dispose();
  }
}

export function jobLine(job: Job): string {
  const pct = `${Math.round(job.progress * 100)}%`;
  const error = job.error ? `  ${job.error.message}` : '';
  return `${job.id.slice(0, 8)}  ${job.kind}  ${job.state}  ${pct}  attempts ${job.attempts}${error}`;
}
