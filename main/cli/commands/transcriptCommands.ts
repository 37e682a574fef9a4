import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

import type { Command } from 'commander';

import { ToexError, fromFsError } from '../../errors.js';
import { installRoot } from '../../installRoot.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
} from '../../transcription/export/TranscriptDocument.js';
import type { SegmentChange, SegmentView } from '../../transcription/TranscriptStore.js';
import { SPEAKER_MODEL_FILE, newestSpeakerSuggestions } from '../../transcription/speakersJob.js';
import { diffLine } from '../../transcription/wordDiff.js';
import { segmentTranslations } from '../../translation/TranslationStore.js';
import type { Wrap } from '../action.js';
import { exportTarget } from '../exportTarget.js';
import { EXIT } from '../exitCodes.js';
import { table } from '../format.js';
import { runWithProgress } from '../runJobs.js';
import { translationLine } from '../translationLine.js';
import { clock } from './transcribeCommands.js';

/** A whole number option or argument, or a one-line refusal naming it. */
export function wholeNumber(value: string, what: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new ToexError('bad-input', `${what} must be a whole number`);
  return Number(value);
}

/** "3,5,9-12" as the segment ids 3, 5, 9, 10, 11, 12. */
export function segmentList(value: string): number[] {
  return idList(value, 'a segment id');
}

/** Past this many ids a list is no examiner's selection, and would be stored with its job. */
const MAX_IDS = 100_000;

/** "3,5,9-12" as the ids 3, 5, 9, 10, 11, 12; `what` names one in a refusal. */
export function idList(value: string, what: string): number[] {
  const ids: number[] = [];
  for (const part of value.split(',')) {
    const range = /^\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?$/.exec(part);
    if (!range) {
      throw new ToexError('bad-input', `"${part}" is not ${what} or a range such as 9-12`);
    }
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (to < from || to - from > 100_000) {
      throw new ToexError('bad-input', `the range ${part.trim()} runs backwards or is too long`);
    }
    for (let id = from; id <= to; id += 1) ids.push(id);
    if (ids.length > MAX_IDS) {
      throw new ToexError('bad-input', `a list takes at most ${MAX_IDS} ids`);
    }
  }
  return ids;
}

function changesFromFile(path: string): SegmentChange[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new ToexError('bad-input', `${path} is not JSON (${err.message})`);
    }
    throw fromFsError(err, path);
  }
  const shape =
    'a JSON list of {"segment": id, "text": "...", "speaker": "..."} (text or speaker or both)';
  if (!Array.isArray(parsed)) throw new ToexError('bad-input', `${path} must hold ${shape}`);
  return parsed.map((c: unknown) => {
    const o = c as Record<string, unknown>;
    const ok =
      typeof o === 'object' &&
      o !== null &&
      Number.isInteger(o.segment) &&
      (o.text === undefined || typeof o.text === 'string') &&
      (o.speaker === undefined || typeof o.speaker === 'string');
    if (!ok) throw new ToexError('bad-input', `${path} must hold ${shape}`);
    return {
      segmentId: o.segment as number,
      ...(o.text === undefined ? {} : { text: o.text as string }),
      ...(o.speaker === undefined ? {} : { speaker: o.speaker as string }),
    };
  });
}

function segmentLine(s: SegmentView): string {
  const who = s.speaker ?? (s.speakerSuggestion ? `${s.speakerSuggestion} (suggested)` : '');
  const marks = [
    ...s.flags,
    ...(s.textEdited ? ['edited'] : []),
    ...(s.speakerEdited ? ['relabelled'] : []),
  ];
  return [
    `#${s.id}`,
    `[${clock(s.startMs)} --> ${clock(s.endMs)}]`,
    ...(who ? [`${who}:`] : []),
    s.text || '(struck out: not speech)',
    ...(marks.length ? [`(${marks.join(', ')})`] : []),
  ].join(' ');
}

/** A run of consecutive segments with one suggested speaker. */
interface SuggestedTurn {
  label: string;
  startMs: number;
  endMs: number;
  segments: number[];
  /** The lowest similarity of its segments to the voice they were grouped with. */
  similarity: number | null;
  text: string;
}

function suggestedTurns(
  segments: SegmentView[],
  similarity: Map<number, number | null>,
): SuggestedTurn[] {
  const turns: SuggestedTurn[] = [];
  for (const s of segments) {
    if (!similarity.has(s.id) || !s.speakerSuggestion) continue;
    const sim = similarity.get(s.id) ?? null;
    const last = turns[turns.length - 1];
    if (last?.label === s.speakerSuggestion) {
      last.endMs = Math.max(last.endMs, s.endMs);
      last.segments.push(s.id);
      last.similarity = sim === null ? last.similarity : Math.min(last.similarity ?? sim, sim);
      last.text = `${last.text} ${s.text}`.trim();
      continue;
    }
    turns.push({
      label: s.speakerSuggestion,
      startMs: s.startMs,
      endMs: s.endMs,
      segments: [s.id],
      similarity: sim,
      text: s.text,
    });
  }
  return turns;
}

function turnLine(t: SuggestedTurn): string {
  const ids =
    t.segments.length === 1 ? `#${t.segments[0]}` : `#${t.segments[0]}-#${t.segments.at(-1)}`;
  const sim = t.similarity === null ? '' : `, similarity ${t.similarity.toFixed(2)}`;
  return `[${clock(t.startMs)} --> ${clock(t.endMs)}] ${t.label} (suggested; ${ids}${sim}): ${t.text}`;
}

export function registerTranscriptCommands(program: Command, action: Wrap): void {
  const transcript = program
    .command('transcript')
    .description('read, correct, label, compare and sign off transcripts');

  transcript
    .command('list')
    .description("list a case's transcripts")
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const rows = await ctx.withCase(ref, (store) =>
          store.transcripts.list().map((t) => {
            const version = store.transcripts.currentVersion(t.id);
            return {
              ...t,
              version,
              signedOff: store.transcripts.signOffFor(t.id, version) !== null,
              state: store.jobs.get(t.jobId).state,
            };
          }),
        );
        ctx.print(rows, () =>
          rows.length === 0
            ? 'No transcripts in this case.'
            : table([
                ['ID', 'EVIDENCE', 'STATE', 'LANGUAGE', 'MODEL', 'VERSION', 'CHECKED'],
                ...rows.map((t) => [
                  String(t.id),
                  String(t.evidenceId),
                  t.state,
                  t.language ?? '',
                  t.modelId,
                  String(t.version),
                  t.signedOff ? 'signed off' : 'draft',
                ]),
              ]),
        );
      }),
    );

  transcript
    .command('show')
    .description('show a transcript, with segment ids for corrections')
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id (see `toex transcript list`)')
    .option('--at <version>', 'an earlier version (1 is the machine transcript)')
    .action(
      action(async (ctx, ref: string, id: string, opts: { at?: string }) => {
        const tid = wholeNumber(id, 'the transcript id');
        const version = opts.at === undefined ? undefined : wholeNumber(opts.at, '--at');
        const shown = await ctx.withCase(ref, (store) => {
          const at = version ?? store.transcripts.currentVersion(tid);
          const translated = segmentTranslations(store.db, tid, at);
          return {
            version: at,
            segments: store.transcripts
              .segmentsAt(tid, version)
              .map((s) => ({ ...s, translations: translated.get(s.id) ?? [] })),
          };
        });
        ctx.print(shown, () => [
          `Transcript ${tid}, version ${shown.version}:`,
          ...shown.segments.flatMap((s) => [
            segmentLine(s),
            ...s.translations.map(translationLine),
          ]),
        ]);
      }),
    );

  transcript
    .command('edit')
    .description('correct segments; the change is saved as a new version with your reason')
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id')
    .argument('[segment]', 'the segment id (see `toex transcript show`)')
    .option('--text <text>', "the segment's corrected text (empty: it was not speech)")
    .option('--speaker <label>', 'who is speaking: Interviewer, Interviewee, Solicitor, a name...')
    .option('--changes <file>', 'many changes at once, from a JSON file')
    .option('--base <version>', 'the version you corrected; refused if another was saved since')
    .requiredOption('--reason <why>', 'why the transcript is changed (kept with the version)')
    .action(
      action(
        async (
          ctx,
          ref: string,
          id: string,
          segment: string | undefined,
          opts: {
            text?: string;
            speaker?: string;
            changes?: string;
            base?: string;
            reason: string;
          },
        ) => {
          const tid = wholeNumber(id, 'the transcript id');
          const single = segment !== undefined;
          if (single === (opts.changes !== undefined)) {
            throw new ToexError('bad-input', 'give either a segment id or --changes <file>');
          }
          const changes: SegmentChange[] = single
            ? [
                {
                  segmentId: wholeNumber(segment, 'the segment id'),
                  ...(opts.text === undefined ? {} : { text: opts.text }),
                  ...(opts.speaker === undefined ? {} : { speaker: opts.speaker }),
                },
              ]
            : changesFromFile(opts.changes!);
          const saved = await ctx.withCase(ref, (store) =>
            store.transcripts.edit(tid, {
              changes,
              reason: opts.reason,
              ...(opts.base === undefined ? {} : { baseVersion: wholeNumber(opts.base, '--base') }),
            }),
          );
          ctx.print(
            saved,
            () =>
              `Saved version ${saved.version} of transcript ${tid} (${saved.segmentsChanged} segment${saved.segmentsChanged === 1 ? '' : 's'} changed).`,
          );
        },
      ),
    );

  transcript
    .command('label')
    .description('give segments a speaker label, as one new version')
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id')
    .argument('<speaker>', 'Interviewer, Interviewee, Solicitor, Interpreter, or a name')
    .option('--segments <ids>', 'segment ids, e.g. 3,5,9-12')
    .option('--channel <n>', 'every segment heard on this channel of the recording')
    .option('--replace <label>', 'every segment now labelled (or suggested as) this')
    .option('--reason <why>', 'why (default: speaker labelling)', 'speaker labelling')
    .action(
      action(
        async (
          ctx,
          ref: string,
          id: string,
          speaker: string,
          opts: { segments?: string; channel?: string; replace?: string; reason: string },
        ) => {
          const tid = wholeNumber(id, 'the transcript id');
          const ways = [opts.segments, opts.channel, opts.replace].filter((o) => o !== undefined);
          if (ways.length !== 1) {
            throw new ToexError('bad-input', 'give one of --segments, --channel or --replace');
          }
          const channel =
            opts.channel === undefined ? undefined : wholeNumber(opts.channel, '--channel');
          const saved = await ctx.withCase(ref, (store) => {
            const ids =
              opts.segments !== undefined
                ? segmentList(opts.segments)
                : store.transcripts
                    .segmentsAt(tid)
                    .filter((s) =>
                      channel !== undefined
                        ? s.channel === channel
                        : (s.speaker ?? s.speakerSuggestion) === opts.replace,
                    )
                    .map((s) => s.id);
            if (ids.length === 0) {
              throw new ToexError('not-found', 'no segment of the transcript matches');
            }
            return store.transcripts.edit(tid, {
              changes: ids.map((segmentId) => ({ segmentId, speaker })),
              reason: opts.reason,
            });
          });
          ctx.print(
            saved,
            () =>
              `Saved version ${saved.version} of transcript ${tid}: ${saved.segmentsChanged} segment(s) labelled.`,
          );
        },
      ),
    );

  transcript
    .command('speakers')
    .description(
      'suggest who spoke when, by grouping the voices of the segments (a suggestion only)',
    )
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id')
    .option('--speakers <n>', 'how many people speak (default: found from the voices)')
    .option('--threshold <similarity>', 'how alike two voices must be to count as one (0 to 1)')
    .option(
      '--model <file>',
      `the speaker model (default: dist/model-weights/${SPEAKER_MODEL_FILE})`,
    )
    .option('--threads <n>', 'CPU threads for the model', '2')
    .action(
      action(
        async (
          ctx,
          ref: string,
          id: string,
          opts: { speakers?: string; threshold?: string; model?: string; threads: string },
        ) => {
          const tid = wholeNumber(id, 'the transcript id');
          const speakers =
            opts.speakers === undefined ? undefined : wholeNumber(opts.speakers, '--speakers');
          if (opts.threshold !== undefined && !/^(0?\.\d+)$/.test(opts.threshold)) {
            throw new ToexError(
              'bad-input',
              '--threshold takes a number between 0 and 1, e.g. 0.75',
            );
          }
          const model =
            opts.model ?? join(installRoot(), 'dist', 'model-weights', SPEAKER_MODEL_FILE);
          const outcome = await ctx.withCase(ref, async (store, ws) => {
            const queued = await store.queueSpeakers(tid, model, {
              ...(speakers === undefined ? {} : { speakers }),
              ...(opts.threshold === undefined ? {} : { threshold: Number(opts.threshold) }),
              threads: wholeNumber(opts.threads, '--threads'),
            });
            const [finished] = await runWithProgress(ctx, store, ws, async (runner) => [
              await runner.run(queued.id),
            ]);
            // Only this run's: when it found no voice to go on, an older run's would mislead.
            const suggestions = newestSpeakerSuggestions(store.db, tid).filter(
              (g) => g.jobId === finished!.id,
            );
            const similarity = new Map(suggestions.map((g) => [g.segmentId, g.similarity]));
            return {
              job: finished!,
              turns: suggestedTurns(store.transcripts.segmentsAt(tid), similarity),
            };
          });
          const { job, turns } = outcome;
          const labels = [...new Set(turns.map((t) => t.label))];
          ctx.print(outcome, () =>
            job.state === 'done' && turns.length === 0
              ? `Transcript ${tid} has no speech long enough to tell voices apart; no speakers were suggested.`
              : job.state === 'done'
                ? [
                    `Suggested speakers for transcript ${tid}: machine suggestions, not labels.`,
                    ...turns.map(turnLine),
                    '',
                    `${labels.length} suggested speaker(s) over ${turns.reduce((n, t) => n + t.segments.length, 0)} segments; model ${String(job.params.modelId)}.`,
                    `Confirm one with: toex transcript label ${ref} ${tid} <who> --replace "${labels[0] ?? 'Speaker A'}"`,
                  ]
                : `Speaker separation ${job.state}${job.error ? `: ${job.error.message}` : ''}.`,
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

  transcript
    .command('history')
    .description("a transcript's versions: who changed it, when and why")
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id')
    .action(
      action(async (ctx, ref: string, id: string) => {
        const tid = wholeNumber(id, 'the transcript id');
        const history = await ctx.withCase(ref, (store) => ({
          versions: store.transcripts.versions(tid),
          signOffs: store.transcripts.signOffs(tid),
        }));
        ctx.print(history, () => [
          ...table([
            ['VERSION', 'BY', 'WHEN', 'SEGMENTS', 'REASON'],
            ...history.versions.map((v) => [
              String(v.version),
              v.author,
              v.createdAt,
              String(v.segmentsChanged),
              v.reason,
            ]),
          ]),
          ...history.signOffs.map(
            (s) => `Version ${s.version} signed off by ${s.signedBy} at ${s.signedAt}.`,
          ),
        ]);
      }),
    );

  transcript
    .command('diff')
    .description('what officers changed: the machine text (or any version) against another')
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id')
    .option('--from <version>', 'the earlier version', '1')
    .option('--to <version>', 'the later version (default: the newest)')
    .action(
      action(async (ctx, ref: string, id: string, opts: { from: string; to?: string }) => {
        const tid = wholeNumber(id, 'the transcript id');
        const from = wholeNumber(opts.from, '--from');
        const to = opts.to === undefined ? undefined : wholeNumber(opts.to, '--to');
        const diff = await ctx.withCase(ref, (store) => store.transcripts.diff(tid, from, to));
        ctx.print(diff, () =>
          diff.length === 0
            ? 'No differences.'
            : diff.map((d) => {
                const who =
                  d.speakerFrom === d.speakerTo
                    ? ''
                    : ` speaker ${d.speakerFrom ?? '(none)'} -> ${d.speakerTo ?? '(none)'};`;
                return `#${d.segmentId} [${clock(d.startMs)} --> ${clock(d.endMs)}]${who} ${diffLine(d.text)}`;
              }),
        );
      }),
    );

  transcript
    .command('sign-off')
    .description('record that you checked the newest version against the audio')
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id')
    .option(
      '--statement <text>',
      'your statement (default: checked against the audio, true record)',
    )
    .action(
      action(async (ctx, ref: string, id: string, opts: { statement?: string }) => {
        const tid = wholeNumber(id, 'the transcript id');
        const signed = await ctx.withCase(ref, (store) =>
          store.transcripts.signOff(tid, opts.statement === undefined ? {} : opts),
        );
        ctx.print(
          signed,
          () => `Version ${signed.version} of transcript ${tid} signed off by ${signed.signedBy}.`,
        );
      }),
    );

  transcript
    .command('export')
    .description('write a transcript as TXT, SRT, WebVTT, JSON or DOCX (draft until signed off)')
    .argument('<case>', 'case reference or id')
    .argument('<transcript>', 'transcript id')
    .requiredOption('--out <file>', 'the file to write; never overwritten')
    .option('--format <format>', `${EXPORT_FORMATS.join(', ')} (default: from the file name)`)
    .option('--at <version>', 'an earlier version (default: the newest)')
    .action(
      action(
        async (
          ctx,
          ref: string,
          id: string,
          opts: { out: string; format?: string; at?: string },
        ) => {
          const tid = wholeNumber(id, 'the transcript id');
          const version = opts.at === undefined ? undefined : wholeNumber(opts.at, '--at');
          const format = (opts.format ?? extname(opts.out).slice(1)).toLowerCase();
          if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
            throw new ToexError(
              'bad-input',
              opts.format === undefined
                ? `say which format with --format (${EXPORT_FORMATS.join(', ')})`
                : `unknown export format "${opts.format}" (use ${EXPORT_FORMATS.join(', ')})`,
            );
          }
          const target = exportTarget(opts.out);
          const written = await ctx.withCase(ref, (store) =>
            store.exportTranscript(tid, {
              format: format as ExportFormat,
              ...(version === undefined ? {} : { version }),
              write: target.write,
            }),
          );
          ctx.print({ ...written, path: target.path, format }, () => [
            `Wrote ${written.draft ? 'a DRAFT of ' : ''}version ${written.version} of transcript ${tid} as ${format.toUpperCase()} to ${opts.out}.`,
            `SHA-256 ${written.sha256} (recorded in the case audit).`,
          ]);
        },
      ),
    );
}
