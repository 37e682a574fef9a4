import { describe, expect, it } from 'vitest';

import { fromAppleTime, fromUnixAnyUnit, fromUnixMs } from '../../../workers/ingest/sourceTime.js';

describe('sourceTime', () => {
  const moment = '2024-03-09T21:15:30.250Z';
  const ms = Date.parse(moment);

  it.each([
    ['seconds', Math.floor(ms / 1000), '2024-03-09T21:15:30.000Z'],
    ['milliseconds', ms, moment],
    ['microseconds', ms * 1000, moment],
    ['nanoseconds', BigInt(ms) * 1_000_000n, moment],
  ])('reads Unix time in %s', (_unit, value, expected) => {
    expect(fromUnixAnyUnit(value)?.utc).toBe(expected);
  });

  it.each([
    ['seconds (iOS before 11)', (ms - 978_307_200_000) / 1000],
    ['nanoseconds (iOS 11 on)', BigInt(ms - 978_307_200_000) * 1_000_000n],
  ])('reads Apple time in %s since 2001', (_unit, value) => {
    expect(fromAppleTime(value)?.utc).toBe(moment);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['before 1995', Date.UTC(1990, 0, 1)],
    ['years ahead', Date.now() + 5 * 365 * 86_400_000],
    ['not a number', Number.NaN],
  ])('gives no time for %s', (_what, value) => {
    expect(fromUnixMs(value)).toBeNull();
  });

  it('keeps the offset the source gave', () => {
    expect(fromUnixMs(ms, 120)).toEqual({ utc: moment, offsetMinutes: 120 });
  });
});
