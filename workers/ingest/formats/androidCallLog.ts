import type { Database } from 'better-sqlite3';
import { isSupportedCountry } from 'libphonenumber-js';

import { normaliseAddress } from '../addresses.js';
import { hasTables, type ParseContext, type SqliteSchema } from '../formats.js';
import type { CallRecord, IngestRecord } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';
import { columns, eachRow, numberOf, textOf } from './whatsappRows.js';

/**
 * CallLog.Calls.TYPE as a direction, and what the direction cannot say.
 * A voicemail was a call nobody answered; a blocked one was refused by the
 * phone's block list rather than by its user; one answered externally rang
 * here but was taken on another device sharing the number.
 */
const TYPES: Record<number, { direction: CallRecord['direction']; flag?: string }> = {
  1: { direction: 'incoming' },
  2: { direction: 'outgoing' },
  3: { direction: 'missed' },
  4: { direction: 'missed', flag: 'voicemail' },
  5: { direction: 'rejected' },
  6: { direction: 'rejected', flag: 'blocked' },
  7: { direction: 'incoming', flag: 'answered-elsewhere' },
};

/** CallLog.Calls.NUMBER_PRESENTATION: 1 is a number shown; the others say why none is. */
const PRESENTATION: Record<number, string> = {
  2: 'number-withheld',
  3: 'number-unknown',
  4: 'payphone',
  5: 'number-unavailable',
};

/** What Android writes in place of a number it was not given (CallerInfo's constants). */
const PLACEHOLDER: Record<string, string> = {
  '-1': 'number-unknown',
  '-2': 'number-withheld',
  '-3': 'payphone',
};

/** CallLog.Calls.FEATURES bit 0: a video call. */
const FEATURES_VIDEO = 1;

export interface AndroidCall {
  direction: CallRecord['direction'];
  flags: string[];
  /** The number as written, or null when the phone was given none. */
  number: string | null;
}

/**
 * One call-log row as Android's own call log means it: its type, how the
 * number was presented, and the number, of which "-1", "-2", "-3" and an empty
 * one stand for no number at all and so name nobody.
 */
export function androidCall(
  type: number | null,
  presentation: number | null,
  number: string | null,
): AndroidCall {
  const known = type === null ? undefined : TYPES[type];
  const flags: string[] = [];
  if (known?.flag) flags.push(known.flag);
  if (!known) flags.push(`call-type-${type ?? 'none'}`);
  const shown = presentation === null ? undefined : PRESENTATION[presentation];
  if (shown) flags.push(shown);

  const text = number?.trim() ?? '';
  const placeholder = PLACEHOLDER[text];
  if (placeholder && !flags.includes(placeholder)) flags.push(placeholder);
  if (text === '' && !shown) flags.push('no-number');
  return {
    direction: known?.direction ?? 'unknown',
    flags,
    number: text === '' || placeholder ? null : text,
  };
}

export function hasCallLog(schema: SqliteSchema): boolean {
  return hasTables(
    schema,
    'calls._id',
    'calls.number',
    'calls.date',
    'calls.duration',
    'calls.type',
  );
}

interface CallRow {
  _id: number;
  number: unknown;
  date: unknown;
  duration: unknown;
  type: unknown;
  name: unknown;
  countryiso: unknown;
  presentation: unknown;
  features: unknown;
  deleted: unknown;
}

/** The country a call was logged in (countryiso), else the device's for the case. */
function regionOf(countryiso: unknown, region: string): string {
  const code = typeof countryiso === 'string' ? countryiso.trim().toUpperCase() : '';
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code) ? code : region;
}

/**
 * The `calls` table of calllog.db (Android 7 on) or of contacts2.db (before):
 * one call per row, `date` in Unix ms, `duration` in seconds. A number is read
 * in the country the phone logged the call in, when the row says; each
 * person is named with the latest name the phone cached for them.
 */
export function* callLogRecords(
  db: Database,
  schema: SqliteSchema,
  ctx: ParseContext,
  step: () => void,
): Generator<IngestRecord> {
  const file = ctx.file.name;
  const wanted = [
    'number',
    'date',
    'duration',
    'type',
    'name',
    'countryiso',
    'presentation',
    'features',
    'deleted',
  ];
  const select = `SELECT _id, ${columns(schema, 'calls', wanted)} FROM calls`;
  const identifierOf = (r: CallRow, flags: string[]) => {
    const call = androidCall(numberOf(r.type), numberOf(r.presentation), textOf(r.number, flags));
    return {
      call,
      address:
        call.number === null
          ? null
          : normaliseAddress(call.number, regionOf(r.countryiso, ctx.region)),
    };
  };

  // The latest cached name per person, so that their one participant record carries it.
  const names = new Map<string, string>();
  yield* eachRow<CallRow>(
    db,
    `${select} ORDER BY date, _id`,
    { file, table: 'calls', what: 'cached names' },
    (r) => {
      const name = textOf(r.name, [])?.trim();
      const { address } = identifierOf(r, []);
      if (name && address) names.set(address.identifier, name);
    },
  );

  const seen = new Set<string>();
  yield* eachRow<CallRow>(db, `${select} ORDER BY _id`, { file, table: 'calls' }, function* (r) {
    const source = { file, table: 'calls', rowId: r._id };
    const flags: string[] = [];
    const { call, address } = identifierOf(r, flags);
    flags.push(...call.flags);
    let participantKey: string | null = null;
    if (address && call.number !== null) {
      participantKey = `p:${address.identifier}`;
      if (!seen.has(participantKey)) {
        seen.add(participantKey);
        const name = names.get(address.identifier) ?? null;
        yield {
          type: 'participant',
          key: participantKey,
          raw: call.number,
          name,
          source,
          ...address,
        };
      }
    }

    const date = numberOf(r.date);
    const startedAt = date === null || date === 0 ? null : fromUnixMs(date);
    if (date !== null && date !== 0 && startedAt === null) flags.push('time-out-of-range');
    if ((numberOf(r.features) ?? 0) & FEATURES_VIDEO) flags.push('video');
    const duration = numberOf(r.duration);
    yield {
      type: 'call',
      key: `calls:${r._id}`,
      participantKey,
      direction: call.direction,
      startedAt,
      durationSeconds: duration !== null && duration >= 0 ? Math.round(duration) : null,
      // Set on a row the phone has deleted but not yet purged (a voicemail awaiting sync).
      deleted: numberOf(r.deleted) === 1,
      flags,
      source,
    } satisfies IngestRecord;
    step();
  });
}
