import { readFileSync, statSync } from 'node:fs';

import type { Command } from 'commander';

import { ToexError } from '../../errors.js';
import type { IngestSummary } from '../../ingest/ingestJob.js';
import { ingestReport } from '../../ingest/IngestStore.js';
import { BUILTIN_MAPPINGS } from '../../../workers/ingest/mappings/builtinMappings.js';
import { contactSummary, searchMessages, type MessageFilter } from '../../ingest/messageSearch.js';
import { undetectedMessages } from '../../language/detectJob.js';
import type { VoiceNoteTranscript } from '../../ingest/voiceNotes.js';
import type { Wrap } from '../action.js';
import { EXIT } from '../exitCodes.js';
import { count, table } from '../format.js';
import { runWithProgress } from '../runJobs.js';
import { translationLine } from '../translationLine.js';

/** How a listed message's direction shows; one the source does not give shows as --. */
const ARROW: Record<string, string> = { outgoing: '->', incoming: '<-' };

function itemNumber(value: string): number {
  if (!/^\d{1,9}$/.test(value)) {
    throw new ToexError(
      'bad-input',
      `"${value}" is not an evidence item number (see \`toex evidence list\`)`,
    );
  }
  return Number(value);
}

/** A message's time as the phone showed it: UTC, and the source's own offset when known. */
function when(sentAt: string | null, offset: number | null): string {
  if (sentAt === null) return '(no time)';
  const utc = sentAt.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
  if (offset === null) return utc;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${utc} (${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')})`;
}

/** A language code as `toex detect` stores them: ro, sq, ar-Latn, und. */
const LANGUAGE_CODE = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?$/;

/** How much of each item's ingest report `toex ingest` prints. */
const REPORT_LINES = 20;

interface IngestOptions {
  region: string;
  timezone?: string;
  owner?: string;
  mapping?: string;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ⏎ ');

/** A voice note under its message: its transcript, marked as the machine's, or where it stands. */
function voiceNoteLine(v: VoiceNoteTranscript): string {
  const item = `voice note (item ${v.evidenceId})`;
  if (v.transcriptId === null) {
    return `${item}: not transcribed (toex transcribe <case> --voice-notes)`;
  }
  if (v.state !== 'done') return `${item}: transcript ${v.transcriptId} is ${v.state}`;
  const how = v.version === 1 ? 'machine transcription' : `corrected, version ${v.version}`;
  return `${item}, transcript ${v.transcriptId} (${how}): ${oneLine(v.text ?? '')}`;
}

const BUILTINS = [...BUILTIN_MAPPINGS.keys()].join(', ');

/** Past this a file is no mapping anyone wrote by hand. */
const MAX_MAPPING_BYTES = 1024 * 1024;

/** A built-in mapping by name, else a mapping file, as its text and a name for errors. */
function readMapping(given: string): { json: string; origin: string } {
  const builtin = BUILTIN_MAPPINGS.get(given);
  if (builtin) return { json: builtin.json, origin: `built-in mapping ${given}` };
  let size: number;
  try {
    size = statSync(given).size;
  } catch {
    throw new ToexError(
      'bad-input',
      `--mapping "${given}" is neither a mapping file nor a built-in (${BUILTINS})`,
    );
  }
  if (size > MAX_MAPPING_BYTES) {
    throw new ToexError(
      'bad-input',
      `mapping ${given} is ${size} bytes; a mapping is at most 1 MiB`,
    );
  }
  return { json: readFileSync(given, 'utf8').replace(/^\ufeff/, ''), origin: `mapping ${given}` };
}

export function registerIngestCommands(program: Command, action: Wrap): void {
  program
    .command('ingest')
    .description('read phone extractions in the case into its messages, calls and contacts')
    .argument('<case>', 'case reference or id')
    .argument('<evidence...>', 'evidence item numbers of the extractions')
    .option('--region <country>', "the device's country, for numbers without a country code", 'GB')
    .option(
      '--timezone <zone>',
      "the zone the device's clock was set to (IANA, e.g. Europe/London), for exports that write local times with no zone (WhatsApp)",
    )
    .option(
      '--owner <name>',
      "the name the device's owner appears under in a WhatsApp export, so their messages are outgoing",
    )
    .option(
      '--mapping <file|name>',
      `read a tabular export (CSV, JSON) through this mapping file, or a built-in: ${BUILTINS}`,
    )
    .action(
      action(async (ctx, ref: string, items: string[], opts: IngestOptions) => {
        const ids = items.map(itemNumber);
        const mapping = opts.mapping === undefined ? undefined : readMapping(opts.mapping);
        const jobs = await ctx.withCase(ref, async (store, ws) => {
          // Every item is checked before any is queued: one bad number and none is.
          for (const id of ids) store.evidence.get(id);
          const queued = ids.map((id) =>
            store.queueIngest(id, {
              region: opts.region,
              ...(opts.timezone === undefined ? {} : { timeZone: opts.timezone }),
              ...(opts.owner === undefined ? {} : { ownerName: opts.owner }),
              ...(mapping ? { mapping } : {}),
            }),
          );
          const ran = await runWithProgress(ctx, store, ws, (runner, onDidStart) =>
            runner.runEach(
              queued.map((j) => j.id),
              onDidStart,
            ),
          );
          return ran.map((job) => ({
            ...job,
            report: ingestReport(store.db, Number(job.params.evidenceId), REPORT_LINES),
          }));
        });
        ctx.print(jobs, () =>
          jobs.flatMap((job) => {
            const s = job.result as unknown as IngestSummary | null;
            if (job.state !== 'done' || !s) {
              return [
                `Item ${String(job.params.evidenceId)}: ${job.state}${job.error ? `: ${job.error.message}` : ''}.`,
              ];
            }
            const lines = s.problems + s.notes;
            return [
              `Item ${s.evidenceId} (${s.formatLabel}): ${count(s.messages, 'message')} in ${count(s.threads, 'thread')}, ${count(s.participants, 'person', 'people')}, ${count(s.calls, 'call')}, ${count(s.contacts, 'contact')}${s.problems ? `; ${count(s.problems, 'problem')} in the ingest report` : ''}.`,
              ...job.report.map(
                (l) => `  ${l.note ? 'note' : 'problem'}: ${l.source.file}: ${l.message}`,
              ),
              ...(lines > job.report.length
                ? [`  … and ${lines - job.report.length} more lines in the ingest report`]
                : []),
            ];
          }),
        );
        const failed = jobs.find((j) => j.state !== 'done');
        ctx.exitCode = !failed
          ? EXIT.ok
          : failed.state === 'cancelled'
            ? EXIT.cancelled
            : failed.error?.kind === 'bad-input'
              ? EXIT.usage
              : EXIT.engine;
      }),
    );

  program
    .command('messages')
    .description("list or search the case's messages")
    .argument('<case>', 'case reference or id')
    .option('--thread <id>', 'one thread')
    .option(
      '--search <words>',
      'messages holding all these words, accents and case ignored: word* a prefix, "a phrase", OR between alternatives, -word to leave out',
    )
    .option('--participant <who>', 'sent by this number, address or name')
    .option('--direction <way>', 'incoming or outgoing')
    .option(
      '--language <codes>',
      'in these languages, as `toex detect` told them (ro,sq; ar takes in ar-Latn, Arabic in Latin letters; und: none told)',
    )
    .option('--from <date>', 'on or after this date or time (UTC)')
    .option('--to <date>', 'on or before this date or time (UTC)')
    .option('--limit <n>', 'at most this many', '1000')
    .action(
      action(
        async (
          ctx,
          ref: string,
          opts: {
            thread?: string;
            search?: string;
            participant?: string;
            direction?: string;
            language?: string;
            from?: string;
            to?: string;
            limit: string;
          },
        ) => {
          // Codes are matched as stored (ro, ar-Latn), whatever case they are typed in.
          const languages = opts.language
            ?.split(',')
            .map((l) =>
              l
                .trim()
                .replace(
                  /^([a-z]{2,3})(?:-([a-z])([a-z]{3}))?$/i,
                  (_, lang: string, s?: string, cript?: string) =>
                    `${lang.toLowerCase()}${s ? `-${s.toUpperCase()}${cript!.toLowerCase()}` : ''}`,
                ),
            );
          if (languages?.some((l) => !LANGUAGE_CODE.test(l))) {
            throw new ToexError(
              'bad-input',
              '--language takes language codes separated by commas (ro,sq,ar-Latn,und)',
            );
          }
          if (opts.direction !== undefined && !['incoming', 'outgoing'].includes(opts.direction)) {
            throw new ToexError('bad-input', '--direction is incoming or outgoing');
          }
          if (
            !/^\d{1,6}$/.test(opts.limit) ||
            Number(opts.limit) < 1 ||
            Number(opts.limit) > 100_000
          ) {
            throw new ToexError('bad-input', '--limit takes a whole number from 1 to 100000');
          }
          if (opts.thread !== undefined && !/^\d{1,9}$/.test(opts.thread)) {
            throw new ToexError('bad-input', '--thread takes a thread id');
          }
          const filter: MessageFilter = {
            ...(opts.thread === undefined ? {} : { threadId: Number(opts.thread) }),
            ...(opts.search === undefined ? {} : { search: opts.search }),
            ...(opts.participant === undefined ? {} : { participant: opts.participant }),
            ...(opts.direction === undefined
              ? {}
              : { direction: opts.direction as 'incoming' | 'outgoing' }),
            ...(languages === undefined ? {} : { languages }),
            ...(opts.from === undefined ? {} : { from: opts.from }),
            ...(opts.to === undefined ? {} : { to: opts.to }),
            limit: Number(opts.limit),
          };
          const { rows, undetected } = await ctx.withCase(ref, (store) => ({
            rows: searchMessages(store.db, filter),
            undetected: languages === undefined ? 0 : undetectedMessages(store.db),
          }));
          if (undetected > 0) {
            process.stderr.write(
              `toex: note: ${count(undetected, 'message')} of the case have no language yet and are not matched by --language (run toex detect ${ref})\n`,
            );
          }
          ctx.print(rows, () =>
            rows.length === 0
              ? 'No messages match.'
              : rows
                  .map((m) => {
                    const who =
                      m.direction === 'outgoing'
                        ? '(device owner)'
                        : (m.senderName ??
                          (m.sender && m.savedName
                            ? `${m.sender} (saved as ${m.savedName})`
                            : (m.sender ?? '(unknown)')));
                    const marks = [...(m.deleted ? ['deleted'] : []), ...m.flags];
                    const language = m.language
                      ? ` [${m.language.code}${m.language.reliable ? '' : '?'}]`
                      : '';
                    return [
                      `#${m.id} thread ${m.threadId} ${when(m.sentAt, m.utcOffsetMinutes)} ${ARROW[m.direction] ?? '--'} ${who}${language}: ${oneLine(m.body ?? '')}${m.attachments ? ` [${m.attachments} attachment(s)]` : ''}${marks.length ? ` (${marks.join(', ')})` : ''}`,
                      ...(m.quote
                        ? [
                            `    replying to ${m.quote.messageId === null ? 'a message not in the case' : `#${m.quote.messageId}`}${m.quote.text === null ? '' : `: ${oneLine(m.quote.text)}`}`,
                          ]
                        : []),
                      ...m.history.map(
                        (h, i) =>
                          `    version ${i + 1} of ${m.history.length}${h.at ? `, ${when(h.at.utc, h.at.offsetMinutes)}` : ''}: ${oneLine(h.text ?? '(unreadable)')}`,
                      ),
                      ...m.voiceNotes.flatMap((v) => [
                        `    ${voiceNoteLine(v)}`,
                        ...v.translations.map((t) => `  ${translationLine(t)}`),
                      ]),
                      ...m.translations.map(translationLine),
                    ];
                  })
                  .flat(),
          );
        },
      ),
    );

  program
    .command('contacts')
    .description('who the devices in the case talk to: how often, and when')
    .argument('<case>', 'case reference or id')
    .action(
      action(async (ctx, ref: string) => {
        const rows = await ctx.withCase(ref, (store) => contactSummary(store.db));
        ctx.print(rows, () =>
          rows.length === 0
            ? 'No people found in this case yet (run `toex ingest`).'
            : table([
                ['WHO', 'NAME', 'FROM', 'TO', 'CALLS', 'FIRST', 'LAST', 'ITEMS'],
                ...rows.map((c) => [
                  c.identifier,
                  c.names.join(' / '),
                  String(c.messagesFrom),
                  String(c.messagesTo),
                  String(c.calls),
                  c.first ?? '',
                  c.last ?? '',
                  c.evidenceIds.join(','),
                ]),
              ]),
        );
      }),
    );
}
