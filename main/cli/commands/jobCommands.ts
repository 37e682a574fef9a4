import type { Command } from 'commander';

import type { Wrap } from '../action.js';
import { EXIT } from '../exitCodes.js';
import { table } from '../format.js';
import { jobLine, runWithProgress } from '../runJobs.js';
import { verifyExitCode, verifyReport } from './evidenceCommands.js';

export function registerJobCommands(program: Command, action: Wrap): void {
  const jobs = program.command('jobs').description("list, cancel and resume a case's jobs");

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
                  j.state,
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
    .description('cancel a queued job, or ask a running one to stop')
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
    .command('resume')
    .description('run queued jobs and resume any interrupted by a crash, from their checkpoints')
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const ran = await ctx.withCase(ref, (store) => {
          store.assertOpen('running jobs');
          return runWithProgress(ctx, store, (runner) => runner.runPending());
        });
        ctx.print(ran, () =>
          ran.length === 0
            ? 'No jobs to run.'
            : ran.flatMap((j) => [
                jobLine(j),
                ...(j.kind === 'evidence.verify' ? verifyReport(j).map((l) => `  ${l}`) : []),
              ]),
        );
        const codes = ran.map((j) =>
          j.kind === 'evidence.verify'
            ? verifyExitCode(j)
            : j.state === 'done'
              ? EXIT.ok
              : EXIT.engine,
        );
        ctx.exitCode = codes.find((c) => c !== EXIT.ok) ?? EXIT.ok;
      }),
    );
}
