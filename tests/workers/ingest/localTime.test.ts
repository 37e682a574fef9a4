import { describe, expect, it } from 'vitest';

import { fromWallClock, isTimeZone } from '../../../workers/ingest/localTime.js';

const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('wall-clock times placed in a zone', () => {
  it('gives the UTC moment and the offset the zone had then', () => {
    expect(fromWallClock(wall('2024-01-01T00:00:00'), 'Asia/Kolkata')).toEqual({
      time: { utc: '2023-12-31T18:30:00.000Z', offsetMinutes: 330 },
      flag: null,
    });
    expect(fromWallClock(wall('2024-06-15T08:45:30.250'), 'America/New_York')).toEqual({
      time: { utc: '2024-06-15T12:45:30.250Z', offsetMinutes: -240 },
      flag: null,
    });
    expect(fromWallClock(wall('2024-06-15T08:45:00'), 'UTC')).toEqual({
      time: { utc: '2024-06-15T08:45:00.000Z', offsetMinutes: 0 },
      flag: null,
    });
  });

  it('takes the earlier of a time that happened twice, and flags it', () => {
    expect(fromWallClock(wall('2024-11-03T01:30:00'), 'America/New_York')).toEqual({
      time: { utc: '2024-11-03T05:30:00.000Z', offsetMinutes: -240 },
      flag: 'local-time-ambiguous',
    });
  });

  it('reads a time that never happened with the offset before the change, and flags it', () => {
    expect(fromWallClock(wall('2024-03-10T02:30:00'), 'America/New_York')).toEqual({
      time: { utc: '2024-03-10T07:30:00.000Z', offsetMinutes: -240 },
      flag: 'local-time-nonexistent',
    });
  });

  it('knows IANA zone names and nothing else', () => {
    expect(isTimeZone('Europe/Bucharest')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
