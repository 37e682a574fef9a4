import type { CaseStore } from '../cases/CaseStore.js';
import { ToexError } from '../errors.js';
import type { Job } from '../jobs/JobQueue.js';
import type { JobProgress } from '../jobs/JobRunner.js';
import type { Workstation } from '../workstation/Workstation.js';
import type { CliContext } from './context.js';
import { EXIT } from './exitCodes.js';
import { progressSink } from './progressBar.js';

type Runner = ReturnType<CaseStore['runner']>;
export type OnDidStart = (job: Job, index: number, count: number) => void;

/** 83.5 s as 00:01:23.500 */
export function clock(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** How far a job is, in its own units: audio time for a transcription, megabytes otherwise. */
function amount(p: JobProgress): string {
  if (p.kind === 'transcribe') return `${clock(p.done).slice(0, 8)}/${clock(p.total).slice(0, 8)}`;
  return `${(p.done / 2 ** 20).toFixed(1)}/${(p.total / 2 ** 20).toFixed(1)} MB`;
}

function jobName(job: Job): string {
  const item = job.params.evidenceId;
  return typeof item === 'number' ? `item ${item}` : job.kind;
}

/**
 * Runs jobs in this process with a progress display that names the job and,
 * for several, which of how many. Engine jobs take the workstation's engine
 * slots. Ctrl-C cancels the current job (its results so far kept) and starts
 * no other; a second Ctrl-C leaves at once, exit code 8, and the jobs go
 * on from their checkpoints at the next `toex jobs run`.
 */
export async function runWithProgress(
  ctx: CliContext,
  store: CaseStore,
  ws: Workstation,
  run: (runner: Runner, onDidStart: OnDidStart) => Promise<Job[]>,
): Promise<Job[]> {
  const runner = store.runner(undefined, { engines: ws.engines });
  const sink = progressSink({ json: ctx.json, title: 'Job' });
  let prefix = '';
  const unsubscribe = runner.onDidProgress((p) =>
    sink.update(p.done, p.total, `${prefix}${p.stage ?? ''}`, amount(p)),
  );
  const onDidStart: OnDidStart = (job, index, count) => {
    prefix = count > 1 ? `file ${index + 1} of ${count} (${jobName(job)}): ` : '';
  };

  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts += 1;
    if (interrupts > 1) {
      runner.dispose();
      return;
    }
    runner.stopAfterCurrent();
    const id = runner.current;
    if (id === undefined) return;
    // Only the job this process runs: another terminal's jobs on the same case are theirs.
    const job = store.jobs.get(id);
    if (job.state === 'queued' || (job.state === 'running' && job.ownerPid === process.pid)) {
      store.jobs.requestCancel(id);
    }
  };
  process.on('SIGINT', onInterrupt);
  let ran: Job[];
  try {
    ran = await run(runner, onDidStart);
  } finally {
    process.off('SIGINT', onInterrupt);
    // The jobs have stopped by now: a late second Ctrl-C must not kill the
    // process before it says how they ended.
    if (interrupts > 0) process.on('SIGINT', () => {});
    unsubscribe();
    sink.stop();
    runner.dispose();
  }
  if (interrupts > 1) {
    const left = ran.filter((j) => j.state === 'queued').map((j) => j.id.slice(0, 8));
    const which =
      left.length === 1
        ? `job ${left[0]} will resume from its checkpoint`
        : `jobs ${left.join(', ')} will resume from their checkpoints`;
    const next = `on the next run (toex jobs run ${store.info.reference})`;
    throw new ToexError('cancelled', left.length === 0 ? 'stopped' : `stopped; ${which} ${next}`);
  }
  return ran;
}

export function jobLine(job: Job): string {
  const pct = `${Math.round(job.progress * 100)}%`;
  const error = job.error ? `  ${job.error.message}` : '';
  return `${job.id.slice(0, 8)}  ${job.kind}  ${job.state}  ${pct}  attempts ${job.attempts}${error}`;
}

/** A job's outcome as an exit code: the worst of several is the highest. */
export function jobExitCode(job: Job): number {
  switch (job.state) {
    case 'done':
      return EXIT.ok;
    case 'failed':
      return job.error?.kind === 'bad-input' ? EXIT.usage : EXIT.engine;
    default:
      // Cancelled, paused, or still queued (Ctrl-C came before its turn).
      return EXIT.cancelled;
  }
}
