import { describe, expect, it } from 'vitest';

import {
  parseOffset,
  readTime,
  type TimeSpec,
} from '../../../../workers/ingest/tabular/tabularTime.js';

const spec = (format: string, more: Partial<TimeSpec> = {}): TimeSpec => ({
  column: 'When',
  format,
  offset: null,
  zone: null,
  ...more,
});

describe('tabularTime', () => {
  it.each([
    ['ISO 8601 with Z', '2024-03-19T21:00:05Z', spec('iso8601'), '2024-03-19T21:00:05.000Z', 0, []],
    [
      'ISO 8601 with its own offset',
      '2024-03-19T23:00:05.250+02:00',
      spec('iso8601'),
      '2024-03-19T21:00:05.250Z',
      120,
      [],
    ],
    [
      'ISO 8601 with a space and +0530',
      '2024-03-19 21:00 +0530',
      spec('iso8601'),
      '2024-03-19T15:30:00.000Z',
      330,
      [],
    ],
    [
      'ISO 8601 without offset, mapping offset',
      '2024-03-19T21:00:00',
      spec('iso8601', { offset: -300 }),
      '2024-03-20T02:00:00.000Z',
      -300,
      [],
    ],
    [
      'ISO 8601 without any offset',
      '2024-03-19T21:00:00',
      spec('iso8601'),
      '2024-03-19T21:00:00.000Z',
      null,
      ['local-time-unknown-zone'],
    ],
    [
      'day-first in summer time',
      '19/07/2024 21:00:00',
      spec('dd/MM/yyyy HH:mm:ss', { zone: 'Europe/Bucharest' }),
      '2024-07-19T18:00:00.000Z',
      180,
      [],
    ],
    [
      'day-first in winter time',
      '19/01/2024 21:00:00',
      spec('dd/MM/yyyy HH:mm:ss', { zone: 'Europe/Bucharest' }),
      '2024-01-19T19:00:00.000Z',
      120,
      [],
    ],
    [
      'just after the clocks went forward',
      '31/03/2024 04:30:00',
      spec('dd/MM/yyyy HH:mm:ss', { zone: 'Europe/Bucharest' }),
      '2024-03-31T01:30:00.000Z',
      180,
      [],
    ],
    [
      'a time the clocks skipped',
      '31/03/2024 01:30:00',
      spec('dd/MM/yyyy HH:mm:ss', { zone: 'Europe/London' }),
      '2024-03-31T01:30:00.000Z',
      60,
      ['local-time-nonexistent'],
    ],
    [
      'a time the clocks passed twice, the earlier taken',
      '27/10/2024 01:30:00',
      spec('dd/MM/yyyy HH:mm:ss', { zone: 'Europe/London' }),
      '2024-10-27T00:30:00.000Z',
      60,
      ['local-time-ambiguous'],
    ],
    [
      'month-first 12-hour',
      '3/7/24 9:05 PM',
      spec('M/d/yy h:mm a', { offset: 0 }),
      '2024-03-07T21:05:00.000Z',
      0,
      [],
    ],
    [
      '12 AM is midnight',
      '03/07/2024 12:10 am',
      spec('MM/dd/yyyy hh:mm a', { offset: 0 }),
      '2024-03-07T00:10:00.000Z',
      0,
      [],
    ],
    [
      'dots and milliseconds',
      '19.03.2024 21:00:05.123',
      spec('dd.MM.yyyy HH:mm:ss.SSS', { offset: 60 }),
      '2024-03-19T20:00:05.123Z',
      60,
      [],
    ],
    [
      'a literal and an offset in the text',
      '19/03/2024 21:00:05 (UTC+01:00)',
      spec("dd/MM/yyyy HH:mm:ss '(UTC'XXX')'"),
      '2024-03-19T20:00:05.000Z',
      60,
      [],
    ],
    [
      'a narrow no-break space',
      '19/03/2024\u202f21:00',
      spec('dd/MM/yyyy HH:mm', { offset: 0 }),
      '2024-03-19T21:00:00.000Z',
      0,
      [],
    ],
    ['Unix seconds', '1710882005', spec('unix-s'), '2024-03-19T21:00:05.000Z', null, []],
    [
      'Unix milliseconds with a fraction',
      '1618158296487.00',
      spec('unix-ms'),
      '2021-04-11T16:24:56.487Z',
      null,
      [],
    ],
    [
      'Unix seconds shown in a zone',
      '1710882005',
      spec('unix-s', { zone: 'Asia/Kolkata' }),
      '2024-03-19T21:00:05.000Z',
      330,
      [],
    ],
  ])('reads %s', (_, cell, s, utc, offset, flags) => {
    expect(readTime(cell, s)).toEqual({ time: { utc, offsetMinutes: offset }, flags });
  });

  it.each([
    [
      '31 April',
      '31/04/2024 10:00:00',
      spec('dd/MM/yyyy HH:mm:ss', { offset: 0 }),
      ['time-unreadable'],
    ],
    ['hour 25', '2024-04-01T25:00:00Z', spec('iso8601'), ['time-unreadable']],
    ['text that is no time', 'yesterday', spec('iso8601'), ['time-unreadable']],
    ['a Unix time that is text', '12:00', spec('unix-s'), ['time-unreadable']],
    ['a time before 1995', '1970-01-02T00:00:00Z', spec('iso8601'), ['time-out-of-range']],
  ])('keeps no time for %s, flagged', (_, cell, s, flags) => {
    expect(readTime(cell, s)).toEqual({ time: null, flags });
  });

  it('reads an empty cell as no time, unflagged', () => {
    expect(readTime('  ', spec('iso8601'))).toEqual({ time: null, flags: [] });
  });

  it.each([
    ['Z', 0],
    ['+02:00', 120],
    ['-0530', -330],
    ['+14', 840],
    ['+15:00', null],
    ['02:00', null],
  ])('reads the offset %s', (text, minutes) => {
    expect(parseOffset(text)).toBe(minutes);
  });
});
