import type { Command } from 'commander';

import type { DetectSummary } from '../../language/detectJob.js';
import type { Wrap } from '../action.js';
import { count, table } from '../format.js';
import { jobExitCode, runWithProgress } from '../runJobs.js';

export function registerLanguageCommands(program: Command, action: Wrap): void {
  program
    .command('detect')
    .description(
      'tell the language of every message in the case not yet told (for `toex messages --language`)',
    )
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const [job] = await ctx.withCase(ref, (store, ws) => {
          const queued = store.queueDetect();
          return runWithProgress(ctx, store, ws, (runner, onDidStart) =>
            runner.runEach([queued.id], onDidStart),
          );
        });
        const summary = job!.result as unknown as DetectSummary | null;
        ctx.print(job, () =>
          job!.state !== 'done' || !summary
            ? `Language detection ${job!.state}${job!.error ? `: ${job!.error.message}` : ''}.`
            : [
                `Told the language of ${count(summary.detected, 'message')} (${summary.detector}).`,
                ...(summary.languages.length === 0
                  ? []
                  : table([
                      ['LANGUAGE', 'MESSAGES', 'UNSURE'],
                      ...summary.languages.map((l) => [
                        l.language,
                        String(l.messages),
                        String(l.unreliable),
                      ]),
                    ])),
              ],
        );
        ctx.exitCode = jobExitCode(job!);
      }),
    );
}
