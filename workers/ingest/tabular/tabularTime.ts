import { fromWallClock, zoneOffsetMinutes } from '../localTime.js';
import type { SourceTime } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';

/**
 * How an export writes its times. `format` is `iso8601`, `unix-s`, `unix-ms`
 * or a pattern such as `dd/MM/yyyy HH:mm:ss` (tokens: yyyy yy MM M dd d HH H
 * hh h mm ss SSS a XXX, 'quoted' literals). A time with no offset of its own
 * is read in `offset` (+02:00) or `zone` (Europe/Bucharest) when the mapping
 * gives one, and otherwise kept as the wall clock, flagged.
 */
export interface TimeSpec {
  column: string;
  format: string;
  offset: number | null;
  zone: string | null;
}

type Fail = (path: string, problem: string) => never;

const OFFSET = /^(?:Z|([+-])(\d{2}):?(\d{2})?)$/;

/** Minutes east of UTC from "Z", "+02:00", "+0200" or "-05", or null when it is none of those. */
export function parseOffset(text: string): number | null {
  const m = OFFSET.exec(text.trim());
  if (!m) return null;
  if (!m[1]) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 14 || Number(m[3] ?? 0) > 59) return null;
  return m[1] === '-' ? -minutes : minutes;
}

interface Compiled {
  regex: RegExp;
  /** What each capture group holds, in order. */
  groups: string[];
}

const TOKENS = [
  'yyyy',
  'yy',
  'MM',
  'M',
  'dd',
  'd',
  'HH',
  'H',
  'hh',
  'h',
  'mm',
  'ss',
  'SSS',
  'a',
  'XXX',
];
const TOKEN_RE: Record<string, string> = {
  yyyy: '(\\d{4})',
  yy: '(\\d{2})',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  dd: '(\\d{2})',
  d: '(\\d{1,2})',
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  hh: '(\\d{2})',
  h: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{1,9})',
  a: '([AaPp]\\.?[Mm]\\.?)',
  XXX: '(Z|[+-]\\d{2}(?::?\\d{2})?)',
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Turns a pattern into a regular expression, or says why it cannot. */
export function compilePattern(pattern: string): Compiled | string {
  let source = '';
  const groups: string[] = [];
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) return 'has a quote that is never closed';
      source += escape(pattern.slice(i + 1, end));
      i = end + 1;
    } else if (/\s/.test(ch)) {
      // Exports put narrow no-break spaces and doubled spaces where the pattern has one.
      source += '\\s+';
      while (i < pattern.length && /\s/.test(pattern[i]!)) i += 1;
    } else {
      const token = TOKENS.find((t) => pattern.startsWith(t, i));
      if (token) {
        source += TOKEN_RE[token];
        groups.push(token);
        i += token.length;
      } else if (/[A-Za-z]/.test(ch)) {
        return `has "${ch}", which is no token (quote letters meant literally: 'T')`;
      } else {
        source += escape(ch);
        i += 1;
      }
    }
  }
  const has = (...t: string[]) => t.some((x) => groups.includes(x));
  if (!has('yyyy', 'yy') || !has('MM', 'M') || !has('dd', 'd')) {
    return 'needs a year, a month and a day';
  }
  if (has('hh', 'h') !== has('a')) return 'uses hh or h with a (AM/PM), and neither without it';
  return { regex: new RegExp(`^${source}$`), groups };
}

export function checkTimeSpec(o: Record<string, unknown>, path: string, fail: Fail): TimeSpec {
  if (typeof o.column !== 'string' || o.column === '') {
    fail(`${path}.column`, 'must be a non-empty string');
  }
  if (typeof o.format !== 'string' || o.format === '') {
    fail(`${path}.format`, 'must be a non-empty string');
  }
  const format = o.format as string;
  if (!['iso8601', 'unix-s', 'unix-ms'].includes(format)) {
    const compiled = compilePattern(format);
    if (typeof compiled === 'string') fail(`${path}.format`, compiled);
  }
  if (o.offset !== undefined && o.zone !== undefined) fail(path, 'takes offset or zone, not both');
  let offset: number | null = null;
  if (o.offset !== undefined) {
    offset = typeof o.offset === 'string' ? parseOffset(o.offset) : null;
    if (offset === null) fail(`${path}.offset`, 'must be an offset such as "+02:00" or "Z"');
  }
  let zone: string | null = null;
  if (o.zone !== undefined) {
    if (typeof o.zone !== 'string') fail(`${path}.zone`, 'must be a time zone name');
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: o.zone as string });
    } catch {
      fail(`${path}.zone`, `"${String(o.zone)}" is not a time zone this system knows`);
    }
    zone = o.zone as string;
  }
  return { column: o.column as string, format, offset, zone };
}

const ISO = new RegExp(
  String.raw`^(\d{4})-(\d{2})-(\d{2})` +
    String.raw`(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?` +
    String.raw`\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`,
);

interface Wall {
  /** The written date and time read as if it were UTC. */
  ms: number;
  /** The offset the text itself gave, if any. */
  offset: number | null;
}

function wallFrom(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string,
) {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, Number(frac.padEnd(3, '0').slice(0, 3)));
  const t = new Date(ms);
  // Date.UTC rolls 31 April into 1 May: a date that does not come back as written is no date.
  const same =
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60;
  return same ? ms : null;
}

function readIso(text: string): Wall | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const ms = wallFrom(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7] ?? '');
  return ms === null ? null : { ms, offset: m[8] ? parseOffset(m[8]) : null };
}

function readPattern(text: string, c: Compiled): Wall | null {
  const m = c.regex.exec(text);
  if (!m) return null;
  const v: Record<string, string> = {};
  c.groups.forEach((g, i) => (v[g] = m[i + 1]!));
  const year = v.yyyy !== undefined ? Number(v.yyyy) : 2000 + Number(v.yy);
  let hour = Number(v.HH ?? v.H ?? v.hh ?? v.h ?? 0);
  if (v.a !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (/^p/i.test(v.a) ? 12 : 0);
  }
  const ms = wallFrom(
    year,
    Number(v.MM ?? v.M),
    Number(v.dd ?? v.d),
    hour,
    Number(v.mm ?? 0),
    Number(v.ss ?? 0),
    v.SSS ?? '',
  );
  return ms === null ? null : { ms, offset: v.XXX === undefined ? null : parseOffset(v.XXX) };
}

export interface ReadTime {
  time: SourceTime | null;
  flags: string[];
}

/** Reads one cell; the flags say why a time is missing or how far it can be trusted. */
export function readTime(cell: string, spec: TimeSpec, compiled?: Compiled): ReadTime {
  const text = cell.trim();
  if (text === '') return { time: null, flags: [] };
  if (spec.format === 'unix-s' || spec.format === 'unix-ms') {
    if (!/^-?\d+(?:\.\d+)?$/.test(text)) return { time: null, flags: ['time-unreadable'] };
    const ms = Number(text) * (spec.format === 'unix-s' ? 1000 : 1);
    const offset = spec.zone !== null ? zoneOffsetMinutes(ms, spec.zone) : spec.offset;
    const time = fromUnixMs(ms, offset);
    return { time, flags: time ? [] : ['time-out-of-range'] };
  }

  const wall =
    spec.format === 'iso8601'
      ? readIso(text)
      : readPattern(text, compiled ?? (compilePattern(spec.format) as Compiled));
  if (!wall) return { time: null, flags: ['time-unreadable'] };
  const offset = wall.offset ?? spec.offset;
  const flags: string[] = [];
  if (offset === null && spec.zone !== null) {
    // A time the clocks skipped or passed twice is flagged, the earlier of two taken.
    const local = fromWallClock(wall.ms, spec.zone);
    if (local.flag) flags.push(local.flag);
    if (!local.time) flags.push('time-out-of-range');
    return { time: local.time, flags };
  }
  if (offset === null) flags.push('local-time-unknown-zone');
  const time = fromUnixMs(wall.ms - (offset ?? 0) * 60_000, offset);
  if (!time) flags.push('time-out-of-range');
  return { time, flags };
}

export type { Compiled as CompiledPattern };
