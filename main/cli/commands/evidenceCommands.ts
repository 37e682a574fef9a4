import type { Command } from 'commander';

import type { Job } from '../../jobs/JobQueue.js';
import type { VerifySummary } from '../../evidence/verifyEvidenceJob.js';
import type { Wrap } from '../action.js';
import { EXIT } from '../exitCodes.js';
import { bytes, table } from '../format.js';
import { progressSink } from '../progressBar.js';
import { runWithProgress } from '../runJobs.js';

export function verifyReport(job: Job): string[] {
  if (job.state !== 'done') {
    return [`Verification ${job.state}${job.error ? `: ${job.error.message}` : ''}.`];
  }
  const summary = job.result as unknown as VerifySummary;
  return [
    `Checked ${summary.checked} items: ${summary.ok} match their import hashes.`,
    ...summary.problems.map(
      (p) => `  item ${p.evidenceId}: ${p.status.toUpperCase()}${p.detail ? ` (${p.detail})` : ''}`,
    ),
    ...summary.unregistered.map(
      (path) =>
        `  ${path}: NOT IN THE REGISTER (left by an interrupted import? import the original again to register it)`,
    ),
  ];
}

export function verifyExitCode(job: Job): number {
  if (job.state === 'cancelled') return EXIT.cancelled;
  if (job.state === 'failed') return EXIT.engine;
  const summary = job.result as unknown as VerifySummary;
  return summary.problems.length || summary.unregistered.length ? EXIT.verifyFailed : EXIT.ok;
}

export function registerEvidenceCommands(program: Command, action: Wrap): void {
  const evidence = program.command('evidence').description('import, list and verify evidence');

  evidence
    .command('add')
    .description('copy files into a case, hashing them (SHA-256, MD5); originals are only read')
    .argument('<case>', 'case reference or id')
    .argument('<files...>', 'files to import')
    .option('--exhibit <ref>', 'exhibit reference, e.g. JS/1')
    .action(
      action(async (ctx, ref: string, files: string[], opts: { exhibit?: string }) => {
        const results = await ctx.withCase(ref, async (store) => {
          const done = [];
          for (const file of files) {
            const sink = progressSink({ json: ctx.json, title: 'Import' });
            try {
              done.push(
                await store.importEvidence(file, {
                  ...(opts.exhibit ? { exhibitRef: opts.exhibit } : {}),
                  onProgress: (d, t) => sink.update(d, t),
                }),
              );
            } finally {
              sink.stop();
            }
          }
          return done;
        });
        ctx.print(results, () =>
          results.map(({ item, duplicate }) =>
            duplicate
              ? `${item.originalName}: already in the case as item ${item.id} (same SHA-256); nothing added`
              : `${item.originalName}: item ${item.id}, ${bytes(item.size)}, sha256 ${item.sha256}`,
          ),
        );
      }),
    );

  evidence
    .command('list')
    .description("list a case's evidence with its hashes")
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const items = await ctx.withCase(ref, (store) => store.evidence.list());
        ctx.print(items, () =>
          items.length === 0
            ? 'No evidence in this case yet.'
            : table([
                ['ID', 'EXHIBIT', 'SIZE', 'SHA-256', 'IMPORTED', 'NAME'],
                ...items.map((i) => [
                  String(i.id),
                  i.exhibitRef ?? '-',
                  bytes(i.size),
                  i.sha256,
                  i.importedAt,
                  i.originalName,
                ]),
              ]),
        );
      }),
    );

  evidence
    .command('verify')
    .description('re-hash every stored copy in a worker and report any mismatch or missing file')
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const job = await ctx.withCase(ref, async (store, ws) => {
          const queued = store.queueVerify();
          const [finished] = await runWithProgress(ctx, store, ws, async (runner) => [
            await runner.run(queued.id),
          ]);
          return finished!;
        });
        ctx.print(job, () => verifyReport(job));
        ctx.exitCode = verifyExitCode(job);
      }),
    );
}
