import type { SourceTime } from './records.js';
import { fromUnixMs } from './sourceTime.js';

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** True when `timeZone` is an IANA zone name (or UTC) this Node knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** How far ahead of UTC the zone's clocks are at the moment `utcMs`, in milliseconds. */
function offsetAt(utcMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatFor(timeZone)
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const wall = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** The offset from UTC, in minutes, that `timeZone`'s clocks show at the moment `utcMs`. */
export function zoneOffsetMinutes(utcMs: number, timeZone: string): number {
  return Math.round(offsetAt(utcMs, timeZone) / 60_000);
}

export interface LocalTime {
  time: SourceTime | null;
  /**
   * Set when the wall-clock time happened twice (clocks going back: the
   * earlier moment is taken) or never (clocks going forward: read with the
   * offset before the change).
   */
  flag: 'local-time-ambiguous' | 'local-time-nonexistent' | null;
}

/**
 * A wall-clock time a source wrote without its zone (`wallMs`: that clock
 * reading as if it were UTC), placed in `timeZone`: the UTC moment, with the
 * zone's offset then kept as the source's own.
 */
export function fromWallClock(wallMs: number, timeZone: string): LocalTime {
  // Any change of offset near the moment lies between these two readings.
  const before = offsetAt(wallMs - DAY_MS, timeZone);
  const after = offsetAt(wallMs + DAY_MS, timeZone);
  const fits = [wallMs - before, wallMs - after].filter(
    (utc) => utc + offsetAt(utc, timeZone) === wallMs,
  );
  const unique = [...new Set(fits)].sort((a, b) => a - b);
  const utc = unique[0] ?? wallMs - before;
  const flag =
    unique.length > 1
      ? 'local-time-ambiguous'
      : unique.length === 0
        ? 'local-time-nonexistent'
        : null;
  return { time: fromUnixMs(utc, Math.round(offsetAt(utc, timeZone) / 60_000)), flag };
}
