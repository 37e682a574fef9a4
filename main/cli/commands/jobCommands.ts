import type { Command } from 'commander';

import type { CaseStore } from '../../cases/CaseStore.js';
import { WAITING_FOR_ENGINE } from '../../jobs/EngineSlots.js';
import type { Job } from '../../jobs/JobQueue.js';
import { parseEngineLimit } from '../../workstation/WorkstationEngineSlots.js';
import type { Wrap } from '../action.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exitCodes.js';
import { table } from '../format.js';
import { jobExitCode, jobLine, runWithProgress } from '../runJobs.js';
import { verifyExitCode, verifyReport } from './evidenceCommands.js';
import {
  outcomeLine,
  transcriptionReport,
  withSegments,
  type TranscribedJob,
} from './transcribeCommands.js';

/** A job's state as `jobs list` shows it, with what a queued or running one is waiting for. */
export function stateText(job: Job): string {
  if (job.state === 'running' && job.pauseRequested) return 'running (pausing at next checkpoint)';
  if (job.state === 'queued' && job.stage === WAITING_FOR_ENGINE) return `queued (${job.stage})`;
  return job.state;
}

/** Prints what a run of jobs came to and sets the worst exit code. */
function reportRun(ctx: CliContext, store: CaseStore, ran: Job[]): void {
  const shown = ran.map((j) => (j.kind === 'transcribe' ? withSegments(store, j) : j));
  const transcriptions = shown.filter((j): j is TranscribedJob => 'segments' in j);
  ctx.print(shown, () =>
    ran.length === 0
      ? 'No jobs to run.'
      : transcriptions.length === ran.length
        ? transcriptionReport(transcriptions)
        : ran.flatMap((j) =>
            j.kind === 'evidence.verify'
              ? [jobLine(j), ...verifyReport(j).map((l) => `  ${l}`)]
              : j.kind === 'transcribe'
                ? [`${j.id.slice(0, 8)}  transcribe  ${outcomeLine(j)}`]
                : [jobLine(j)],
          ),
  );
  ctx.exitCode = Math.max(
    EXIT.ok,
    ...ran.map((j) => (j.kind === 'evidence.verify' ? verifyExitCode(j) : jobExitCode(j))),
  );
}

export function registerJobCommands(program: Command, action: Wrap): void {
  const jobs = program
    .command('jobs')
    .description("list, pause, resume, cancel and run a case's jobs");

  jobs
    .command('list')
    .description("list a case's jobs and their state")
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const list = await ctx.withCase(ref, (store) => store.jobs.list());
        ctx.print(list, () =>
          list.length === 0
            ? 'No jobs in this case.'
            : table([
                ['ID', 'KIND', 'STATE', 'PROGRESS', 'ATTEMPTS', 'CREATED', 'ERROR'],
                ...list.map((j) => [
                  j.id.slice(0, 8),
                  j.kind,
                  stateText(j),
                  `${Math.round(j.progress * 100)}%`,
                  String(j.attempts),
                  j.createdAt,
                  j.error?.message ?? '',
                ]),
              ]),
        );
      }),
    );

  jobs
    .command('cancel')
    .description('cancel a queued or paused job, or ask a running one to stop')
    .argument('<case>', 'case reference or id')
    .argument('<job>', 'job id (or its first eight characters)')
    .action(
      action(async (ctx, ref: string, id: string) => {
        const job = await ctx.withCase(ref, (store) => store.jobs.requestCancel(id));
        ctx.print(job, () =>
          job.state === 'cancelled'
            ? `Job ${job.id.slice(0, 8)} cancelled.`
            : `Job ${job.id.slice(0, 8)} asked to stop; it stops at the next safe point.`,
        );
      }),
    );

  jobs
    .command('pause')
    .description('hold a job: a running one stops at its next checkpoint, a queued one waits')
    .argument('<case>', 'case reference or id')
    .argument('<job>', 'job id (or its first eight characters)')
    .action(
      action(async (ctx, ref: string, id: string) => {
        const job = await ctx.withCase(ref, (store) => store.jobs.requestPause(id));
        const short = job.id.slice(0, 8);
        ctx.print(job, () =>
          job.state === 'paused'
            ? `Job ${short} paused; \`toex jobs resume ${ref} ${short}\` goes on with it.`
            : `Job ${short} asked to pause; it stops at its next checkpoint, with its results so far kept.`,
        );
      }),
    );

  jobs
    .command('resume')
    .description(
      'release a paused job and run it here; without a job, run every queued or interrupted one',
    )
    .argument('<case>', 'case reference or id')
    .argument('[job]', 'job id (or its first eight characters)')
    .action(
      action(async (ctx, ref: string, id: string | undefined) => {
        await ctx.withCase(ref, async (store, ws) => {
          store.assertOpen('running jobs');
          if (id === undefined) {
            const ran = await runWithProgress(ctx, store, ws, (runner, onDidStart) =>
              runner.runPending(onDidStart),
            );
            return reportRun(ctx, store, ran);
          }
          const released = store.jobs.release(id);
          if (released.state === 'running') {
            ctx.print(released, () => [
              `Job ${released.id.slice(0, 8)} was still running (process ${released.ownerPid}): its pause is withdrawn.`,
            ]);
            return;
          }
          const ran = await runWithProgress(ctx, store, ws, (runner, onDidStart) =>
            runner.runEach([released.id], onDidStart),
          );
          reportRun(ctx, store, ran);
        });
      }),
    );

  jobs
    .command('run')
    .description(
      "run a case's queued jobs one after another, and resume any interrupted by a crash",
    )
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        await ctx.withCase(ref, async (store, ws) => {
          store.assertOpen('running jobs');
          const ran = await runWithProgress(ctx, store, ws, (runner, onDidStart) =>
            runner.runPending(onDidStart),
          );
          reportRun(ctx, store, ran);
        });
      }),
    );

  program
    .command('engines')
    .description('show the running model engines and the limit on them; --limit changes it')
    .option('--limit <n>', 'how many engines may run at once on this machine, or "default"')
    .action(
      action(async (ctx, opts: { limit?: string }) => {
        const shown = await ctx.withWorkstation((ws) => {
          if (opts.limit !== undefined) {
            ws.setEngineLimit(opts.limit === 'default' ? null : parseEngineLimit(opts.limit));
          }
          return { ...ws.engineLimit(), running: ws.engines.running() };
        });
        ctx.print(shown, () => [
          `Engine limit: ${shown.limit}${shown.isDefault ? ' (the default for this machine)' : ''}.`,
          shown.running.length === 0
            ? 'No engine is running.'
            : `Running: ${shown.running.map((r) => `job ${r.jobId.slice(0, 8)} (process ${r.pid})`).join(', ')}.`,
        ]);
      }),
    );
}
