import type { Command } from 'commander';

import { modelPathFor } from '../../../models/modelStore.js';
import type { CaseStore } from '../../cases/CaseStore.js';
import { ToexError } from '../../errors.js';
import type { VoiceNoteLinks } from '../../ingest/voiceNotes.js';
import type { Job } from '../../jobs/JobQueue.js';
import type { TranscriptSummary } from '../../transcription/transcribeJob.js';
import type { Wrap } from '../action.js';
import type { CliContext } from '../context.js';
import { progressSink } from '../progressBar.js';
import { clock, jobExitCode, runWithProgress } from '../runJobs.js';

export { clock };

/** A job with the segments of its transcript, as printed and as given with --json. */
export type TranscribedJob = Job & { segments: ReturnType<CaseStore['transcripts']['segments']> };

export function withSegments(store: CaseStore, job: Job): TranscribedJob {
  const transcriptId =
    job.state === 'done' ? (job.result as unknown as TranscriptSummary).transcriptId : undefined;
  return {
    ...job,
    segments: transcriptId === undefined ? [] : store.transcripts.segments(transcriptId),
  };
}

function segmentLines(job: TranscribedJob): string[] {
  return job.segments.map(
    (s) =>
      `[${clock(s.startMs)} --> ${clock(s.endMs)}]${s.flags.length ? ` (${s.flags.join(', ')})` : ''}  ${s.speakerSuggestion ? `${s.speakerSuggestion} (suggested): ` : ''}${s.text}`,
  );
}

function languageNote(job: Job): string {
  return `language ${(job.result as unknown as TranscriptSummary).language ?? 'unknown'}`;
}

/** One line on how a transcription ended. */
export function outcomeLine(job: Job): string {
  const item = `item ${String(job.params.evidenceId)}`;
  switch (job.state) {
    case 'done': {
      const summary = job.result as unknown as TranscriptSummary;
      return `${item}: done, ${summary.segments} segments (${summary.flagged} flagged for review); ${languageNote(job)}; model ${String(job.params.modelId)}.`;
    }
    case 'failed':
      return `${item}: failed: ${job.error?.message ?? 'no reason given'}.`;
    case 'paused':
      return `${item}: paused at ${Math.round(job.progress * 100)}%; \`toex jobs resume\` goes on from there.`;
    case 'queued':
      return `${item}: not started (still queued; \`toex jobs run\` runs it).`;
    default:
      return `${item}: ${job.state}.`;
  }
}

/** What `transcribe` prints: one recording's segments, or each one's under a heading. */
export function transcriptionReport(jobs: readonly TranscribedJob[]): string[] {
  if (jobs.length === 1) {
    const [job] = jobs as [TranscribedJob];
    if (job.state !== 'done') {
      return [
        `Transcription ${job.state}${job.error ? `: ${job.error.message}` : ''}${job.state === 'paused' ? '; `toex jobs resume` goes on from there' : ''}.`,
      ];
    }
    const lines = segmentLines(job);
    return [
      ...lines,
      '',
      `${lines.length} segments; ${languageNote(job)}; model ${String(job.params.modelId)}.`,
    ];
  }
  return [
    ...jobs.flatMap((job) =>
      job.state === 'done'
        ? [`== item ${String(job.params.evidenceId)} ==`, ...segmentLines(job), '']
        : [],
    ),
    `${jobs.length} recordings:`,
    ...jobs.map((job) => `  ${job.id.slice(0, 8)}  ${outcomeLine(job)}`),
  ];
}

/** What `transcribe --voice-notes` prints: what was linked, what was skipped and why, how each went. */
export function voiceNotesReport(
  links: VoiceNoteLinks,
  jobs: readonly TranscribedJob[],
  undecodable: readonly number[],
): string[] {
  const reasons = new Map<string, number>();
  for (const s of links.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  return [
    ...jobs.flatMap((job) =>
      job.state === 'done'
        ? [`== voice note, item ${String(job.params.evidenceId)} ==`, ...segmentLines(job), '']
        : [],
    ),
    `${links.found} voice notes in the extractions: ${links.linked} copied into the case now, ${links.alreadyLinked} before, ${links.skipped.length} not copied.`,
    ...[...reasons].map(([reason, n]) => `  ${n} not copied: ${reason}`),
    ...(undecodable.length
      ? [
          `${undecodable.length} not tried again: an earlier attempt could not decode their audio (items ${undecodable.join(', ')})`,
        ]
      : []),
    jobs.length === 0
      ? 'No voice note was waiting to be transcribed.'
      : `${jobs.filter((j) => j.state === 'done').length} of ${jobs.length} transcribed:`,
    ...jobs.map((job) => `  ${job.id.slice(0, 8)}  ${outcomeLine(job)}`),
  ];
}

async function transcribeVoiceNotes(
  ctx: CliContext,
  ref: string,
  modelPath: string,
  options: { extractionIds?: number[]; language?: string; threads: number },
): Promise<void> {
  const { links, jobs, undecodable } = await ctx.withCase(ref, async (store, ws) => {
    const sink = progressSink({ json: ctx.json, title: 'Voice notes' });
    let queued;
    try {
      queued = await store.queueVoiceNotes(modelPath, {
        ...options,
        onProgress: (done, total) => sink.update(done, total, 'copying', `${done}/${total}`),
      });
    } finally {
      sink.stop();
    }
    const ran = queued.jobs.length
      ? await runWithProgress(ctx, store, ws, (runner, onDidStart) =>
          runner.runEach(
            queued.jobs.map((j) => j.id),
            onDidStart,
          ),
        )
      : [];
    return {
      links: queued.links,
      undecodable: queued.undecodable,
      jobs: ran.map((job) => withSegments(store, job)),
    };
  });
  ctx.print({ ...links, undecodable, jobs }, () => voiceNotesReport(links, jobs, undecodable));
  ctx.exitCode = Math.max(0, ...jobs.map(jobExitCode));
}

export function registerTranscribeCommands(program: Command, action: Wrap): void {
  program
    .command('transcribe')
    .description(
      'transcribe recordings in the case with a local Whisper model, one after another, in a worker',
    )
    .argument('<case>', 'case reference or id')
    .argument(
      '[evidence...]',
      'evidence item numbers of the recordings (with --voice-notes: of the extractions, default all)',
    )
    .requiredOption('--model <id|file>', 'an installed model id (toex models list) or a model file')
    .option(
      '--language <code>',
      'spoken language (a Whisper code such as en, pl, ar), or auto to detect it over the speech; default auto, or en for an English-only model',
    )
    .option('--threads <n>', 'CPU threads for the engine', '2')
    .option('--split-channels', 'transcribe each channel on its own, labelled Channel 1, 2...')
    .option(
      '--voice-notes',
      "copy the extracted messages' audio attachments into the case and transcribe each not yet transcribed",
    )
    .action(
      action(
        async (
          ctx,
          ref: string,
          evidence: string[],
          opts: {
            model: string;
            language?: string;
            threads: string;
            splitChannels?: boolean;
            voiceNotes?: boolean;
          },
        ) => {
          if (opts.voiceNotes && opts.splitChannels) {
            throw new ToexError('bad-input', '--split-channels is for recordings, not voice notes');
          }
          if (!opts.voiceNotes && evidence.length === 0) {
            throw new ToexError(
              'bad-input',
              'name the recordings to transcribe (evidence item numbers), or give --voice-notes',
            );
          }
          const bad = evidence.find((e) => !/^\d{1,9}$/.test(e));
          if (bad !== undefined) {
            throw new ToexError(
              'bad-input',
              `"${bad}" is not an evidence item number (see \`toex evidence list\`); nothing was queued`,
            );
          }
          const ids = evidence.map(Number);
          const twice = ids.find((id, i) => ids.indexOf(id) !== i);
          if (twice !== undefined) {
            throw new ToexError('bad-input', `item ${twice} is given twice; nothing was queued`);
          }
          if (!/^\d{1,2}$/.test(opts.threads)) {
            throw new ToexError('bad-input', '--threads takes a whole number from 1 to 64');
          }
          const modelPath = modelPathFor(opts.model, ctx.home);
          if (opts.voiceNotes) {
            await transcribeVoiceNotes(ctx, ref, modelPath, {
              ...(ids.length ? { extractionIds: ids } : {}),
              ...(opts.language === undefined ? {} : { language: opts.language }),
              threads: Number(opts.threads),
            });
            return;
          }
          const jobs = await ctx.withCase(ref, async (store, ws) => {
            const queued = await store.queueTranscriptions(ids, modelPath, {
              ...(opts.language === undefined ? {} : { language: opts.language }),
              threads: Number(opts.threads),
              splitChannels: opts.splitChannels === true,
            });
            // Only an English-only model turns "not given" into en (see transcriptionLanguage).
            if (!ctx.json && opts.language === undefined && queued[0]!.params.language === 'en') {
              process.stderr.write(
                `toex: ${String(queued[0]!.params.modelId)} knows English only: transcribing as English (a multilingual model detects the language)\n`,
              );
            }
            const ran = await runWithProgress(ctx, store, ws, (runner, onDidStart) =>
              runner.runEach(
                queued.map((j) => j.id),
                onDidStart,
              ),
            );
            return ran.map((job) => withSegments(store, job));
          });
          ctx.print(jobs.length === 1 ? jobs[0] : jobs, () => transcriptionReport(jobs));
          ctx.exitCode = Math.max(...jobs.map(jobExitCode));
        },
      ),
    );
}
