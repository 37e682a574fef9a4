import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';

import type { Command } from 'commander';

import { ToexError, fromFsError } from '../../errors.js';
import type { Job } from '../../jobs/JobQueue.js';
import { undetectedMessages } from '../../language/detectJob.js';
import { TRANSLATE, type TranslateSummary } from '../../translation/translateJob.js';
import type { GlossaryTerm } from '../../../workers/translate/keepIntact.js';
import type { Wrap } from '../action.js';
import { exportTarget } from '../exportTarget.js';
import { translationRows } from '../../translation/export/TranslationTable.js';
import { EXIT } from '../exitCodes.js';
import { count, table } from '../format.js';
import { jobExitCode, runWithProgress } from '../runJobs.js';
import { idList, wholeNumber } from './transcriptCommands.js';

const MAX_GLOSSARY_BYTES = 4 * 1024 * 1024;

const MAX_TERM = 200;

/**
 * A case glossary: `{ "terms": [{ "source": "老王", "target": "Old Wang" },
 * { "source": "Elm Street" }] }`. A term with a target is put in its place
 * as written; one without is kept as it is in the message.
 */
export function readGlossary(path: string): GlossaryTerm[] {
  let raw: unknown;
  try {
    if (statSync(path).size > MAX_GLOSSARY_BYTES) {
      throw new ToexError('bad-input', `glossary ${path} is over 4 MiB`);
    }
    raw = JSON.parse(readFileSync(path, 'utf8').replace(/^\ufeff/, ''));
  } catch (err) {
    if (err instanceof ToexError) throw err;
    if (err instanceof SyntaxError) {
      throw new ToexError('bad-input', `glossary ${path} is not JSON: ${err.message}`);
    }
    throw fromFsError(err, `glossary ${path}`);
  }
  const terms = (raw as { terms?: unknown } | null)?.terms;
  if (!Array.isArray(terms)) {
    throw new ToexError('bad-input', `glossary ${path}: "terms" must be a list`);
  }
  return terms.map((t: unknown, i) => {
    const term = t as { source?: unknown; target?: unknown } | null;
    const ok = (v: unknown) => typeof v === 'string' && v.trim() !== '' && v.length <= MAX_TERM;
    if (!ok(term?.source) || (term?.target !== undefined && !ok(term.target))) {
      throw new ToexError(
        'bad-input',
        `glossary ${path} term ${i + 1}: source (and target, when given) must be text of 1 to ${MAX_TERM} characters`,
      );
    }
    return term!.target === undefined
      ? { source: String(term!.source) }
      : { source: String(term!.source), target: String(term!.target) };
  });
}

interface ExportOptions {
  out: string;
  thread?: string;
  language?: string;
  transcript?: string;
  at?: string;
}

interface ListOptions {
  thread?: string;
  language?: string;
  below?: string;
  flagged?: boolean;
  limit: string;
}

/** The --thread and --language of a translation export or list, checked. */
function messageFilter(opts: { thread?: string; language?: string }): {
  threadId?: number;
  languages?: string[];
} {
  const languages = opts.language?.split(',').map((l) => l.trim().toLowerCase());
  if (languages?.some((l) => !/^[a-z]{2,3}$/.test(l))) {
    throw new ToexError('bad-input', '--language takes language codes separated by commas (zh,ro)');
  }
  return {
    ...(opts.thread === undefined ? {} : { threadId: wholeNumber(opts.thread, '--thread') }),
    ...(languages === undefined ? {} : { languages }),
  };
}

/** A text cut to one line of at most 40 characters for a table column. */
function short(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

interface TranslateOptions {
  thread?: string;
  messages?: string;
  transcript?: string;
  to: string;
  beam: string;
  glossary?: string;
}

/** What `toex translate` set going, ran and left. */
interface TranslateOutcome {
  jobs: Job[];
  /** Languages of messages no model here translates, with their counts. */
  unsupported: { language: string; messages: number }[];
  undetermined: number;
  kept: number;
  /** Languages of voice notes no model here translates, with their counts. */
  voiceNotes: { language: string; voiceNotes: number }[];
}

/** What `toex translate` prints: each job's outcome, then what was left and why. */
function translateReport(
  outcome: TranslateOutcome,
  { to, glossary, transcript }: { to: string; glossary: boolean; transcript: boolean },
): string[] {
  const done = outcome.jobs.filter((j) => j.kind === TRANSLATE && j.state === 'done');
  const summary = (j: Job) => j.result as unknown as TranslateSummary;
  const ofMessages = done.filter((j) => j.params.transcript === undefined);
  const ofTranscripts = done.filter((j) => j.params.transcript !== undefined);
  // A transcript of its own, or the voice notes: one line per model, however many notes.
  const byModel = new Map<
    string,
    { from: string; modelId: string; notes: number; segments: number }
  >();
  for (const j of ofTranscripts) {
    const s = summary(j);
    const seen = byModel.get(s.modelId) ?? {
      from: s.from,
      modelId: s.modelId,
      notes: 0,
      segments: 0,
    };
    byModel.set(s.modelId, {
      ...seen,
      notes: seen.notes + 1,
      segments: seen.segments + s.translated,
    });
  }
  const otherScript = ofTranscripts.reduce((n, j) => n + (summary(j).otherScript ?? 0), 0);
  return [
    ...outcome.jobs
      .filter((j) => j.state !== 'done')
      .map((j) => `${j.kind} ${j.state}${j.error ? `: ${j.error.message}` : ''}.`),
    ...ofMessages.map((j) => {
      const s = summary(j);
      return `Translated ${count(s.translated, 'message')} from ${s.from} into ${s.to} with ${s.modelId} (machine translation).`;
    }),
    ...[...byModel.values()].map(
      (m) =>
        `Translated ${count(m.segments, 'segment')}${transcript ? '' : ` of ${count(m.notes, 'voice note')}`} from ${m.from} into ${to} with ${m.modelId} (machine translation).`,
    ),
    ...(otherScript
      ? [
          `${count(otherScript, 'segment')} with no letter of its language's script left untranslated.`,
        ]
      : []),
    ...outcome.unsupported.map(
      (u) =>
        `No model here translates ${u.language} into ${to}: ${count(u.messages, 'message')} left untranslated.`,
    ),
    ...outcome.voiceNotes.map(
      (u) =>
        `No model here translates ${u.language} into ${to}: ${count(u.voiceNotes, 'voice note')} left untranslated.`,
    ),
    ...(outcome.undetermined
      ? [
          `${count(outcome.undetermined, 'message')} of no language that could be told (emoji, figures, a word or two) left untranslated.`,
        ]
      : []),
    ...(outcome.kept && glossary
      ? [
          `${count(outcome.kept, 'message')} already translated left as they were: the glossary applies to new translations only.`,
        ]
      : []),
    ...(done.length === 0 &&
    outcome.jobs.every((j) => j.state === 'done') &&
    outcome.unsupported.length + outcome.voiceNotes.length === 0
      ? [`No messages need translating into ${to}.`]
      : []),
  ];
}

export function registerTranslateCommands(program: Command, action: Wrap): void {
  program
    .command('translate')
    .description(
      "translate the case's messages that are not in the target language, with the models on this machine",
    )
    .argument('<case>', 'case reference or id')
    .option('--thread <id>', 'only this thread')
    .option(
      '--messages <ids>',
      'only these messages: ids such as 3,5,9-12 (`toex messages` shows them)',
    )
    .option(
      '--transcript <id>',
      'a transcript instead of messages, segment by segment, at its newest version',
    )
    .option('--to <language>', 'the language to translate into', 'en')
    .option('--beam <n>', 'beam size: 1 is greedy (fastest), 4 the usual', '4')
    .option(
      '--glossary <file>',
      'terms to keep as written or render as listed (JSON: {"terms": [{"source": ..., "target": ...}]})',
    )
    .action(
      action(async (ctx, ref: string, opts: TranslateOptions) => {
        if (!/^[a-z]{2,3}$/.test(opts.to)) {
          throw new ToexError('bad-input', '--to takes a language code such as en');
        }
        const beamSize = wholeNumber(opts.beam, '--beam');
        if (beamSize < 1 || beamSize > 16) {
          throw new ToexError('bad-input', '--beam takes a whole number from 1 to 16');
        }
        const threadId =
          opts.thread === undefined ? undefined : wholeNumber(opts.thread, '--thread');
        const glossary = opts.glossary === undefined ? [] : readGlossary(opts.glossary);
        const messageIds =
          opts.messages === undefined ? undefined : idList(opts.messages, 'a message id');

        if (opts.transcript !== undefined && (threadId !== undefined || messageIds !== undefined)) {
          throw new ToexError(
            'bad-input',
            '--transcript cannot be given with --thread or --messages',
          );
        }
        const transcriptId =
          opts.transcript === undefined ? undefined : wholeNumber(opts.transcript, '--transcript');

        const outcome = await ctx.withCase(ref, async (store, ws): Promise<TranslateOutcome> => {
          const run = async (ids: string[]) =>
            ids.length === 0
              ? []
              : runWithProgress(ctx, store, ws, (runner, onDidStart) =>
                  runner.runEach(ids, onDidStart),
                );
          const nothing = { unsupported: [], undetermined: 0, kept: 0, voiceNotes: [] };
          if (transcriptId !== undefined) {
            const queued = await store.translations.queueTranscript(transcriptId, {
              to: opts.to,
              beamSize,
              glossary,
            });
            return { ...nothing, jobs: await run([queued.id]) };
          }
          const jobs: Job[] = [];
          // A message is translated from the language it was told to be in: tell the rest first.
          if (undetectedMessages(store.db) > 0) {
            jobs.push(...(await run([store.queueDetect().id])));
            // Another toex process may be telling them already: its job is not this one's to run.
            if (jobs[0]!.state === 'running') {
              throw new ToexError(
                'locked',
                'language detection is running in another toex process; run toex translate again once it ends',
              );
            }
            if (jobs[0]!.state !== 'done') return { ...nothing, jobs };
          }
          const scope = {
            to: opts.to,
            beamSize,
            glossary,
            ...(threadId === undefined ? {} : { threadId }),
            ...(messageIds === undefined ? {} : { messageIds }),
          };
          const queued = await store.translations.queue(scope);
          jobs.push(...(await run(queued.jobs.map((j) => j.id))));
          const voice = await store.translations.queueVoiceNotes(scope);
          jobs.push(...(await run(voice.jobs.map((j) => j.id))));
          return { ...queued, jobs, voiceNotes: voice.unsupported };
        });

        ctx.print(outcome, () =>
          translateReport(outcome, {
            to: opts.to,
            glossary: glossary.length > 0,
            transcript: transcriptId !== undefined,
          }),
        );
        ctx.exitCode = Math.max(EXIT.ok, ...outcome.jobs.map(jobExitCode));
      }),
    );

  const translation = program
    .command('translation')
    .description("review and export the messages' machine translations");

  translation
    .command('export')
    .description(
      'write the translations as a CSV, XLSX or DOCX table, each marked as machine translation',
    )
    .argument('<case>', 'case reference or id')
    .requiredOption('--out <file>', 'the file to write (.csv, .xlsx or .docx); never overwritten')
    .option('--thread <id>', 'only this thread')
    .option('--language <codes>', 'only translations from these languages (zh,ro)')
    .option('--transcript <id>', "a transcript's segment translations instead of messages'")
    .option('--at <version>', "with --transcript: the transcript's version (default: the newest)")
    .action(
      action(async (ctx, ref: string, opts: ExportOptions) => {
        const format = extname(opts.out).slice(1).toLowerCase();
        if (format !== 'csv' && format !== 'xlsx' && format !== 'docx') {
          throw new ToexError('bad-input', '--out must end in .csv, .xlsx or .docx');
        }
        const filter = messageFilter(opts);
        if (opts.transcript !== undefined && (filter.threadId ?? filter.languages) !== undefined) {
          throw new ToexError(
            'bad-input',
            '--transcript cannot be given with --thread or --language',
          );
        }
        if (opts.at !== undefined && opts.transcript === undefined) {
          throw new ToexError('bad-input', '--at is the version of a --transcript');
        }
        const transcript =
          opts.transcript === undefined
            ? undefined
            : {
                id: wholeNumber(opts.transcript, '--transcript'),
                ...(opts.at === undefined ? {} : { version: wholeNumber(opts.at, '--at') }),
              };
        const target = exportTarget(opts.out);
        const written = await ctx.withCase(ref, (store) =>
          store.translations.export({
            format,
            ...filter,
            ...(transcript === undefined ? {} : { transcript }),
            write: target.write,
          }),
        );
        ctx.print({ ...written, path: target.path, format }, () => [
          `Wrote ${count(written.rows, 'translation')} as ${format.toUpperCase()} to ${opts.out}, marked as machine translation.`,
          `SHA-256 ${written.sha256} (recorded in the case audit).`,
        ]);
      }),
    );

  translation
    .command('list')
    .description(
      'the translations a reviewer should look at first: flagged ones, then the least sure',
    )
    .argument('<case>', 'case reference or id')
    .option('--thread <id>', 'only this thread')
    .option('--language <codes>', 'only translations from these languages (zh,ro)')
    .option('--below <confidence>', 'only those of a confidence below this (0 to 1)')
    .option('--flagged', 'only those flagged: cut short, or text the model could not read')
    .option('--limit <n>', 'at most this many', '50')
    .action(
      action(async (ctx, ref: string, opts: ListOptions) => {
        const below = opts.below === undefined ? undefined : Number(opts.below);
        if (below !== undefined && !(below > 0 && below <= 1)) {
          throw new ToexError('bad-input', '--below takes a confidence above 0 and at most 1');
        }
        const limit = wholeNumber(opts.limit, '--limit');
        const rows = await ctx.withCase(ref, (store) =>
          translationRows(store.db, {
            ...messageFilter(opts),
            ...(below === undefined ? {} : { below }),
            ...(opts.flagged ? { flagged: true } : {}),
            order: 'confidence',
            limit,
          }),
        );
        ctx.print(rows, () =>
          rows.length === 0
            ? ['No translations match.']
            : table([
                ['ID', 'MESSAGE', 'LANGUAGES', 'CONFIDENCE', 'ORIGINAL', 'TRANSLATION'],
                ...rows.map((r) => [
                  r.kind === 'segment' ? `${r.translationId} [segment]` : String(r.translationId),
                  String(r.item),
                  r.languages.replace(' -> ', '->'),
                  `${r.confidence.toFixed(2)}${r.flags.length ? ` (${r.flags.join(', ')})` : ''}`,
                  short(r.original),
                  short(r.translation),
                ]),
              ]),
        );
      }),
    );

  translation
    .command('edit')
    .description('correct a translation; saved as a new version with your reason')
    .argument('<case>', 'case reference or id')
    .argument('<translation>', 'translation id (`toex messages --json` lists them)')
    .requiredOption('--text <text>', 'the corrected translation')
    .requiredOption('--reason <why>', 'why it is corrected (kept with the version)')
    .option('--base <version>', 'the version you corrected; refused if another was saved since')
    .option(
      '--segment',
      "the id is a transcript segment's translation (`toex transcript show` lists them)",
    )
    .action(
      action(
        async (
          ctx,
          ref: string,
          id: string,
          opts: { text: string; reason: string; base?: string; segment?: boolean },
        ) => {
          const change = {
            id: wholeNumber(id, 'the translation id'),
            text: opts.text,
            reason: opts.reason,
            ...(opts.base === undefined ? {} : { basedOn: wholeNumber(opts.base, '--base') }),
          };
          const saved = await ctx.withCase(ref, (store) =>
            opts.segment
              ? store.translations.correctSegment(change)
              : store.translations.correct(change),
          );
          ctx.print(
            saved,
            () =>
              `Saved version ${saved.version} of ${opts.segment ? 'segment translation' : 'translation'} ${saved.id}.`,
          );
        },
      ),
    );
}
