import type { SourceTime } from '../records.js';
import { fromUnixMs } from '../sourceTime.js';

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):?(\d\d))?$/;

export interface UfdrTime {
  time: SourceTime | null;
  /** Why `time` is null, or what a reviewer should know of it. */
  flag: 'time-unreadable' | 'time-out-of-range' | 'time-offset-unknown' | null;
}

/**
 * A report.xml TimeStamp, e.g. 2019-03-04T10:22:33.000+01:00: the moment in
 * UTC, keeping the offset the phone's clock showed. A stamp without an offset
 * is read as UTC and flagged, since the report does not say which clock it is.
 */
export function ufdrTime(text: string | null): UfdrTime {
  if (text === null) return { time: null, flag: null };
  const m = ISO.exec(text.trim());
  if (!m) return { time: null, flag: 'time-unreadable' };
  const [, y, mo, d, h, mi, s, frac, zone, sign, oh, om] = m;
  const ms = Number(((frac ?? '') + '000').slice(0, 3));
  const offset =
    zone === undefined
      ? null
      : zone === 'Z'
        ? 0
        : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (offset !== null && Math.abs(offset) > 18 * 60) return { time: null, flag: 'time-unreadable' };
  const local = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    ms,
  );
  const check = new Date(local);
  if (
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return { time: null, flag: 'time-unreadable' };
  }
  const time = fromUnixMs(local - (offset ?? 0) * 60_000, offset);
  if (!time) return { time: null, flag: 'time-out-of-range' };
  return { time, flag: offset === null ? 'time-offset-unknown' : null };
}

/** A TimeSpan (hh:mm:ss, d.hh:mm:ss, with optional fraction) or plain seconds, in whole seconds. */
export function ufdrDuration(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  if (/^\d{1,9}(\.\d+)?$/.test(t)) return Math.round(Number(t));
  const m = /^(?:(\d{1,5})\.)?(\d{1,2}):(\d\d):(\d\d)(?:\.\d+)?$/.exec(t);
  if (!m) return null;
  const [, days, h, mi, s] = m;
  return Number(days ?? 0) * 86_400 + Number(h) * 3600 + Number(mi) * 60 + Number(s);
}
