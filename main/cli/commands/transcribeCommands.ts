import type { Command } from 'commander';

import { ToexError } from '../../errors.js';
import type { TranscriptSummary } from '../../transcription/transcribeJob.js';
import type { Wrap } from '../action.js';
import { EXIT } from '../exitCodes.js';
import { runWithProgress } from '../runJobs.js';

/** 83.5 s as 00:01:23.500 */
export function clock(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

export function registerTranscribeCommands(program: Command, action: Wrap): void {
  program
    .command('transcribe')
    .description('transcribe a recording in the case with a local Whisper model, in a worker')
    .argument('<case>', 'case reference or id')
    .argument('<evidence>', 'evidence item number of the recording')
    .requiredOption('--model <file>', 'a whisper.cpp model file listed in models/manifest.json')
    .option('--language <code>', 'spoken language, or auto to detect it over the speech', 'auto')
    .option('--threads <n>', 'CPU threads for the engine', '2')
    .option('--split-channels', 'transcribe each channel on its own, labelled Channel 1, 2...')
    .action(
      action(
        async (
          ctx,
          ref: string,
          evidence: string,
          opts: { model: string; language: string; threads: string; splitChannels?: boolean },
        ) => {
          if (!/^\d{1,9}$/.test(evidence)) {
            throw new ToexError(
              'bad-input',
              'give the evidence item number (see `toex evidence list`)',
            );
          }
          if (!/^\d{1,2}$/.test(opts.threads)) {
            throw new ToexError('bad-input', '--threads takes a whole number from 1 to 64');
          }
          const { job, lines } = await ctx.withCase(ref, async (store) => {
            const queued = await store.queueTranscription(Number(evidence), opts.model, {
              language: opts.language,
              threads: Number(opts.threads),
              splitChannels: opts.splitChannels === true,
            });
            const [finished] = await runWithProgress(ctx, store, async (runner) => [
              await runner.run(queued.id),
            ]);
            const transcriptId =
              finished!.state === 'done'
                ? (finished!.result as unknown as TranscriptSummary).transcriptId
                : undefined;
            const segments =
              transcriptId === undefined ? [] : store.transcripts.segments(transcriptId);
            return {
              job: { ...finished!, segments },
              lines: segments.map(
                (s) =>
                  `[${clock(s.startMs)} --> ${clock(s.endMs)}]${s.flags.length ? ` (${s.flags.join(', ')})` : ''}  ${s.speakerSuggestion ? `${s.speakerSuggestion} (suggested): ` : ''}${s.text}`,
              ),
            };
          });
          ctx.print(job, () =>
            job.state === 'done'
              ? [
                  ...lines,
                  '',
                  `${lines.length} segments; language ${(job.result as unknown as TranscriptSummary).language ?? 'unknown'}; model ${String(job.params.modelId)}.`,
                ]
              : `Transcription ${job.state}${job.error ? `: ${job.error.message}` : ''}.`,
          );
          ctx.exitCode =
            job.state === 'done'
              ? EXIT.ok
              : job.state === 'cancelled'
                ? EXIT.cancelled
                : job.error?.kind === 'bad-input'
                  ? EXIT.usage
                  : EXIT.engine;
        },
      ),
    );
}
