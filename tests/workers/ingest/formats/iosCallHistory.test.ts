import { describe, expect, it } from 'vitest';

import { iosCallHistory } from '../../../../workers/ingest/formats/iosCallHistory.js';
import { iosSms } from '../../../../workers/ingest/formats/iosSms.js';
import type { CallRecord } from '../../../../workers/ingest/records.js';
import {
  appleSeconds,
  iosCallHistoryDb,
  type IosCallFixture,
} from '../../../helpers/iosCallHistoryDb.js';
import { parseSqlite, schemaOf } from '../../../helpers/parseSqlite.js';
import { useTempDirs } from '../../../helpers/temp.js';

const AT = appleSeconds('2024-03-09T21:00:00Z');

describe('iosCallHistory', () => {
  const tempDir = useTempDirs();

  const call = (fixture: Partial<IosCallFixture>): IosCallFixture => ({
    address: '07700 900123',
    date: AT,
    duration: 61.5,
    originated: false,
    answered: true,
    ...fixture,
  });

  it('reads each call with its number, time and length in whole seconds, the person before the call', () => {
    const path = iosCallHistoryDb(tempDir(), [
      call({ name: 'Stef' }),
      call({ address: Buffer.from('+447700900123'), originated: true, date: AT + 3600 }),
    ]);
    expect(iosCallHistory.matches(schemaOf(path))).toBe(true);
    expect(iosSms.matches(schemaOf(path))).toBe(false);

    const { records, progress } = parseSqlite(iosCallHistory, path);

    expect(records).toEqual([
      {
        type: 'participant',
        key: 'p:+447700900123',
        identifier: '+447700900123',
        raw: '07700 900123',
        name: 'Stef',
        kind: 'phone',
        source: { file: 'CallHistory.storedata', table: 'ZCALLRECORD', rowId: 1 },
      },
      {
        type: 'call',
        key: 'call:1',
        participantKey: 'p:+447700900123',
        direction: 'incoming',
        startedAt: { utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null },
        durationSeconds: 62,
        deleted: false,
        source: { file: 'CallHistory.storedata', table: 'ZCALLRECORD', rowId: 1 },
      },
      expect.objectContaining({
        key: 'call:2',
        participantKey: 'p:+447700900123',
        direction: 'outgoing',
        startedAt: { utc: '2024-03-09T22:00:00.000Z', offsetMinutes: null },
      }),
    ]);
    expect(progress.at(-1)).toEqual([2, 2]);
  });

  it.each<[string, Partial<IosCallFixture>, Partial<CallRecord>]>([
    [
      'a missed call',
      { answered: false, duration: 0 },
      { direction: 'missed', durationSeconds: 0 },
    ],
    ['a withheld number', { address: null }, { participantKey: null, direction: 'incoming' }],
    ['a date of zero', { date: 0 }, { startedAt: null }],
    ['an absurd date', { date: 1e15 }, { startedAt: null }],
    ['a negative duration', { duration: -5 }, { durationSeconds: null }],
  ])('reads %s', (_what, fixture, expected) => {
    const { records } = parseSqlite(iosCallHistory, iosCallHistoryDb(tempDir(), [call(fixture)]));
    expect(records.filter((r) => r.type === 'call')).toMatchObject([expected]);
  });
});
