import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { FORMATS } from '../../../../workers/ingest/formats/index.js';
import { androidContacts } from '../../../../workers/ingest/formats/androidContacts.js';
import type { CallRecord, IngestRecord } from '../../../../workers/ingest/records.js';
import { androidCallLogDb, type AndroidCallFixture } from '../../../helpers/androidCallLogDb.js';
import { androidContactsDb } from '../../../helpers/androidContactsDb.js';
import { androidSmsDb } from '../../../helpers/androidSmsDb.js';
import { iosAddressBookDb } from '../../../helpers/iosAddressBookDb.js';
import { iosCallHistoryDb } from '../../../helpers/iosCallHistoryDb.js';
import { iosSmsDb } from '../../../helpers/iosSmsDb.js';
import { CORPUS } from '../../../helpers/models.js';
import { parseSqlite, schemaOf } from '../../../helpers/parseSqlite.js';
import { useTempDirs } from '../../../helpers/temp.js';
import { waContactsDb, whatsappMsgstoreDb } from '../../../helpers/whatsappMsgstoreDb.js';

const AT = Date.parse('2024-03-09T21:00:00Z');
const calls = (records: IngestRecord[]) => records.filter((r) => r.type === 'call');

describe('androidContacts', () => {
  const tempDir = useTempDirs();

  const call = (fixture: Partial<AndroidCallFixture>): AndroidCallFixture => ({
    number: '07700 900123',
    date: AT,
    duration: 61,
    type: 1,
    ...fixture,
  });

  it('reads calllog.db: number in E.164, time, seconds, the latest cached name on the person', () => {
    const path = androidCallLogDb(tempDir(), [
      call({ name: 'Stef' }),
      call({ number: '+447700900123', type: 2, date: AT + 3_600_000, name: 'Ștefan P' }),
      call({ number: '-2', presentation: 2, type: 3, duration: 0 }),
    ]);
    expect(FORMATS.find((f) => f.kind === 'sqlite' && f.matches(schemaOf(path)))).toBe(
      androidContacts,
    );

    const { records, progress } = parseSqlite(androidContacts, path);

    expect(records).toEqual([
      {
        type: 'participant',
        key: 'p:+447700900123',
        identifier: '+447700900123',
        raw: '07700 900123',
        name: 'Ștefan P',
        kind: 'phone',
        source: { file: 'calllog.db', table: 'calls', rowId: 1 },
      },
      {
        type: 'call',
        key: 'calls:1',
        participantKey: 'p:+447700900123',
        direction: 'incoming',
        startedAt: { utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null },
        durationSeconds: 61,
        deleted: false,
        flags: [],
        source: { file: 'calllog.db', table: 'calls', rowId: 1 },
      },
      expect.objectContaining({
        key: 'calls:2',
        participantKey: 'p:+447700900123',
        direction: 'outgoing',
        startedAt: { utc: '2024-03-09T22:00:00.000Z', offsetMinutes: null },
      }),
      expect.objectContaining({
        key: 'calls:3',
        participantKey: null,
        direction: 'missed',
        flags: ['number-withheld'],
      }),
    ]);
    expect(progress.at(-1)).toEqual([3, 3]);
  });

  it.each<[string, Partial<AndroidCallFixture>, Partial<CallRecord>]>([
    ['a voicemail', { type: 4 }, { direction: 'missed', flags: ['voicemail'] }],
    ['a rejected call', { type: 5 }, { direction: 'rejected', flags: [] }],
    ['a blocked call', { type: 6 }, { direction: 'rejected', flags: ['blocked'] }],
    [
      'a call answered on another device',
      { type: 7 },
      { direction: 'incoming', flags: ['answered-elsewhere'] },
    ],
    [
      'a type Android does not define',
      { type: 100 },
      { direction: 'unknown', flags: ['call-type-100'] },
    ],
    ['a video call', { type: 2, features: 1 }, { direction: 'outgoing', flags: ['video'] }],
    [
      'an unknown caller written as -1',
      { number: '-1', presentation: 3 },
      { participantKey: null, flags: ['number-unknown'] },
    ],
    ['a payphone written as -3', { number: '-3' }, { participantKey: null, flags: ['payphone'] }],
    [
      'a restricted caller with no number at all',
      { number: '', presentation: 2 },
      { participantKey: null, flags: ['number-withheld'] },
    ],
    ['an empty number', { number: '' }, { participantKey: null, flags: ['no-number'] }],
    [
      'a French number logged in France',
      { number: '06 12 34 56 78', countryiso: 'FR' },
      { participantKey: 'p:+33612345678' },
    ],
    ['a deleted voicemail', { type: 4, deleted: true }, { deleted: true }],
    ['a date of zero', { date: 0 }, { startedAt: null, flags: [] }],
    ['an absurd date', { date: 1e16 }, { startedAt: null, flags: ['time-out-of-range'] }],
    ['a negative duration', { duration: -5 }, { durationSeconds: null }],
  ])('reads %s', (_what, fixture, expected) => {
    const { records } = parseSqlite(androidContacts, androidCallLogDb(tempDir(), [call(fixture)]));
    expect(calls(records)).toMatchObject([expected]);
    if (expected.participantKey === null) {
      expect(records.filter((r) => r.type === 'participant')).toEqual([]);
    }
  });

  it('reads contacts2.db: its address book and the call log it held before Android 7', () => {
    const path = androidContactsDb(tempDir(), {
      contacts: [
        { displayName: 'Ștefan Popescu', name: 'Ștefan Popescu', phones: ['07700 900123'] },
        {
          organization: 'Taxi Firm Ltd',
          phones: ['+44 20 7946 0018'],
          emails: ['Taxi@Example.org'],
        },
        { name: 'Old Number', phones: ['07700900999', '+447700900999'], deleted: true },
        {},
      ],
      calls: [call({ name: 'Stef' })],
    });
    expect(FORMATS.find((f) => f.kind === 'sqlite' && f.matches(schemaOf(path)))).toBe(
      androidContacts,
    );

    const { records, progress } = parseSqlite(androidContacts, path);

    expect(records.map((r) => [r.type, r.key])).toEqual([
      ['participant', 'p:+447700900123'],
      ['call', 'calls:1'],
      ['contact', 'raw_contacts:1'],
      ['contact', 'raw_contacts:2'],
      ['contact', 'raw_contacts:3'],
      ['problem', 'raw_contacts:4'],
    ]);
    expect(records.filter((r) => r.type === 'contact')).toEqual([
      {
        type: 'contact',
        key: 'raw_contacts:1',
        name: 'Ștefan Popescu',
        identifiers: ['+447700900123'],
        deleted: false,
        source: { file: 'contacts2.db', table: 'raw_contacts', rowId: 1 },
      },
      expect.objectContaining({
        name: 'Taxi Firm Ltd',
        identifiers: ['+442079460018', 'taxi@example.org'],
      }),
      expect.objectContaining({
        name: 'Old Number',
        identifiers: ['+447700900999'],
        deleted: true,
      }),
    ]);
    expect(records.at(-1)).toMatchObject({ message: 'an empty contact' });
    expect(progress.at(-1)).toEqual([5, 5]);
  });

  it('leaves the other formats their files, and they leave it its own', () => {
    const dir = tempDir();
    for (const other of [
      androidSmsDb(dir, { threads: [], sms: [] }),
      waContactsDb(dir, []),
      whatsappMsgstoreDb(dir, { schema: 'both', chats: [], messages: [] }),
      iosSmsDb(dir, { chats: [], messages: [] }),
      iosCallHistoryDb(dir, []),
      iosAddressBookDb(dir, []),
    ]) {
      expect(androidContacts.matches(schemaOf(other)), other).toBe(false);
    }
    for (const path of [
      androidCallLogDb(dir, []),
      androidContactsDb(dir, { contacts: [], name: 'c.db' }),
    ]) {
      const schema = schemaOf(path);
      expect(FORMATS.filter((f) => f.kind === 'sqlite' && f.matches(schema))).toEqual([
        androidContacts,
      ]);
    }
  });

  const mobile = join(CORPUS, 'mobile');
  it.skipIf(!existsSync(mobile))(
    'claims, of every SQLite file in the corpus, only the contacts2.db',
    () => {
      const files = readdirSync(mobile, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.(db|sqlite|sqlitedb)$/.test(f))
        .sort();
      expect(files.length).toBeGreaterThan(10);
      const claimed = files.filter((f) => androidContacts.matches(schemaOf(join(mobile, f))));
      expect(claimed).toEqual(['android/plaso/contacts2.db']);
    },
  );
});
