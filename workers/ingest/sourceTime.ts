import type { SourceTime } from './records.js';

/** 2001-01-01T00:00:00Z, where Apple's clocks count from, in Unix milliseconds. */
const APPLE_EPOCH_MS = 978_307_200_000;
/** Before the first SMS-capable smartphones' extractions would hold anything; a plausibility floor. */
const EARLIEST_MS = Date.UTC(1995, 0, 1);
/** A year past now: phones' clocks drift, but not by more. */
const latestMs = () => Date.now() + 365 * 86_400_000;

/** A Unix time in milliseconds as a SourceTime, or null when it cannot be a real moment. */
export function fromUnixMs(ms: number, offsetMinutes: number | null = null): SourceTime | null {
  if (!Number.isFinite(ms) || ms < EARLIEST_MS || ms > latestMs()) return null;
  return { utc: new Date(Math.round(ms)).toISOString(), offsetMinutes };
}

/**
 * A Unix timestamp whose unit the source does not say: seconds, milliseconds,
 * microseconds or nanoseconds, told apart by magnitude (each unit's
 * plausible years do not overlap the next's).
 */
export function fromUnixAnyUnit(value: number | bigint): SourceTime | null {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) return null;
  if (n < 1e11) return fromUnixMs(n * 1000);
  if (n < 1e14) return fromUnixMs(n);
  if (n < 1e17) return fromUnixMs(n / 1000);
  return fromUnixMs(n / 1e6);
}

/**
 * Apple's Core Data time: seconds since 2001 (older iOS), or nanoseconds since
 * 2001 (iOS 11 on, in Messages), told apart by magnitude.
 */
export function fromAppleTime(value: number | bigint): SourceTime | null {
  const n = Number(value);
  if (!Number.isFinite(n) || n === 0) return null;
  const seconds = Math.abs(n) > 1e11 ? n / 1e9 : n;
  return fromUnixMs(APPLE_EPOCH_MS + seconds * 1000);
}
