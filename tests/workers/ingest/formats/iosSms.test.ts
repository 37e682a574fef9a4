import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';

import { FORMATS } from '../../../../workers/ingest/formats/index.js';
import { iosSms } from '../../../../workers/ingest/formats/iosSms.js';
import type { IngestRecord, MessageRecord } from '../../../../workers/ingest/records.js';
import { androidSmsDb } from '../../../helpers/androidSmsDb.js';
import {
  appleNs,
  attributedBody,
  iosSmsDb,
  type IosMessageFixture,
} from '../../../helpers/iosSmsDb.js';
import { CORPUS } from '../../../helpers/models.js';
import { parseSqlite, schemaOf } from '../../../helpers/parseSqlite.js';
import { useTempDirs } from '../../../helpers/temp.js';

const ALICE = '07700 900123';
const BOB = '+44 7700 900456';
const CAROL = 'carol@example.org';

describe('iosSms', () => {
  const tempDir = useTempDirs();

  const parse = (path: string) => parseSqlite(iosSms, path).records;

  const messages = (records: IngestRecord[]) =>
    records.filter((r): r is MessageRecord => r.type === 'message');

  function phone(dir: string, extra: IosMessageFixture[] = [], drop: string[] = []): string {
    return iosSmsDb(dir, {
      drop,
      chats: [
        { handles: [ALICE], service: 'SMS' },
        { handles: [BOB, CAROL], service: 'iMessage', name: 'Lads' },
      ],
      messages: [
        {
          chat: 0,
          handle: ALICE,
          date: appleNs('2024-03-09T21:00:00Z'),
          fromMe: false,
          text: 'where r u',
        },
        {
          chat: 0,
          handle: ALICE,
          date: appleNs('2024-03-09T21:01:00Z'),
          fromMe: true,
          text: 'gare du nord',
        },
        {
          chat: 1,
          handle: BOB,
          date: appleNs('2024-03-10T08:00:00.250Z'),
          fromMe: false,
          text: '\uFFFC',
          attachments: [
            {
              filename: '~/Library/SMS/Attachments/0a/10/IMG_0001.HEIC',
              mime: 'image/heic',
              bytes: 1_234_567,
            },
          ],
        },
        {
          chat: 1,
          handle: CAROL,
          date: appleNs('2024-03-10T08:05:00Z'),
          fromMe: false,
          attributedBody: attributedBody('only in the blob 🙂'),
        },
        ...extra,
      ],
    });
  }

  it('is chosen for sms.db and not for an Android mmssms.db', () => {
    const ios = schemaOf(phone(tempDir()));
    const android = schemaOf(androidSmsDb(tempDir(), { threads: [], sms: [] }));
    expect(FORMATS.find((f) => f.kind === 'sqlite' && f.matches(ios))?.id).toBe('ios.sms');
    expect(iosSms.matches(android)).toBe(false);
  });

  it('reads chats, people and messages, people first, each pointing back to its row', () => {
    const records = parse(phone(tempDir()));

    expect(records.map((r) => `${r.type} ${r.key}`)).toEqual([
      'participant p:+447700900123',
      'participant p:+447700900456',
      'participant p:carol@example.org',
      'thread chat:1',
      'thread chat:2',
      'message message:1',
      'message message:2',
      'message message:3',
      'message message:4',
    ]);
    expect(records[4]).toMatchObject({
      service: 'imessage',
      title: 'Lads',
      isGroup: true,
      participantKeys: ['p:+447700900456', 'p:carol@example.org'],
    });
    const [first, second, photo, blob] = messages(records);
    expect(first).toMatchObject({
      threadKey: 'chat:1',
      senderKey: 'p:+447700900123',
      direction: 'incoming',
      sentAt: { utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null },
      body: 'where r u',
      flags: [],
      source: { file: 'sms.db', table: 'message', rowId: 1 },
    });
    expect(second).toMatchObject({ direction: 'outgoing', senderKey: null });
    expect(photo).toMatchObject({
      senderKey: 'p:+447700900456',
      sentAt: { utc: '2024-03-10T08:00:00.250Z' },
      attachments: [
        {
          name: 'IMG_0001.HEIC',
          mime: 'image/heic',
          size: 1_234_567,
          path: '~/Library/SMS/Attachments/0a/10/IMG_0001.HEIC',
        },
      ],
    });
    expect(blob).toMatchObject({
      senderKey: 'p:carol@example.org',
      body: 'only in the blob 🙂',
      flags: ['text-from-attributed-body'],
    });
  });

  it.each<[string, Partial<IosMessageFixture>, Partial<MessageRecord>]>([
    [
      'a date in Apple seconds (before iOS 11)',
      { date: Date.parse('2016-05-01T12:00:00Z') / 1000 - 978_307_200, text: 'old' },
      { sentAt: { utc: '2016-05-01T12:00:00.000Z', offsetMinutes: null }, flags: [] },
    ],
    [
      'an absurd date',
      { date: 9_000_000_000_000_000_000n, text: 'future' },
      { sentAt: null, flags: ['time-out-of-range'] },
    ],
    ['no date at all', { date: 0, text: 'undated' }, { sentAt: null, flags: [] }],
    ['neither text nor attributedBody', { text: null }, { body: null, flags: ['no-text'] }],
    [
      'an attributedBody that is not a typedstream',
      { text: null, attributedBody: Buffer.from('bplist00 junk') },
      { body: null, flags: ['attributed-body-unreadable'] },
    ],
    [
      'text that is not valid UTF-8',
      { text: Buffer.from([0x6f, 0x6b, 0xff, 0x21]) },
      { body: 'ok\uFFFD!', flags: ['invalid-utf8'] },
    ],
    [
      'a message in Recently Deleted',
      { text: 'delete me', recoverable: true },
      { deleted: true, body: 'delete me' },
    ],
    [
      'an SMS sent in an iMessage chat (fallback)',
      { chat: 1, handle: BOB, service: 'SMS', text: 'not delivered as iMessage' },
      { threadKey: 'chat:2', flags: ['sent-as-sms'] },
    ],
    [
      'a message joined to no chat',
      { chat: null, handle: '07700 900999', text: 'loose' },
      { threadKey: 'handle-thread:4', senderKey: 'p:+447700900999' },
    ],
  ])('reads %s', (_what, fixture, expected) => {
    const records = parse(
      phone(tempDir(), [
        {
          chat: 0,
          handle: ALICE,
          date: appleNs('2024-03-11T00:00:00Z'),
          fromMe: false,
          ...fixture,
        },
      ]),
    );
    expect(messages(records).at(-1)).toMatchObject(expected);
  });

  it('threads messages by their handle when the chat tables are missing, losing none', () => {
    const records = parse(
      phone(tempDir(), [], ['chat_message_join', 'chat', 'chat_handle_join', 'attachment']),
    );
    const threads = records.filter((r) => r.type === 'thread');
    expect(threads.map((t) => t.key)).toEqual([
      'handle-thread:1',
      'handle-thread:2',
      'handle-thread:3',
    ]);
    expect(threads[0]).toMatchObject({ service: 'sms', participantKeys: ['p:+447700900123'] });
    expect(messages(records).map((m) => [m.threadKey, m.attachments.length])).toEqual([
      ['handle-thread:1', 0],
      ['handle-thread:1', 0],
      ['handle-thread:2', 0],
      ['handle-thread:3', 0],
    ]);
  });

  it('reports a handle with no address and goes on', () => {
    const path = phone(tempDir());
    const db = new Database(path);
    db.prepare(`INSERT INTO handle (id, service) VALUES ('  ', 'SMS')`).run();
    db.close();
    const records = parse(path);
    expect(records.filter((r) => r.type === 'problem')).toEqual([
      {
        type: 'problem',
        key: 'handle:4',
        message: 'a handle with no address',
        source: { file: 'sms.db', table: 'handle', rowId: 4 },
      },
    ]);
    expect(messages(records)).toHaveLength(4);
  });

  it('keeps the messages before a damaged page and reports where the table stopped', () => {
    const path = iosSmsDb(tempDir(), {
      chats: [{ handles: [ALICE], service: 'SMS' }],
      messages: Array.from({ length: 2000 }, (_, i) => ({
        chat: 0,
        handle: ALICE,
        date: appleNs('2024-03-09T21:00:00Z') + BigInt(i) * 1_000_000_000n,
        fromMe: false,
        text: `message ${i} ${'x'.repeat(200)}`,
      })),
    });
    const db = new Database(path);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const lastMessagePage = (
      db.prepare(`SELECT max(pageno) AS n FROM dbstat WHERE name = 'message'`).get() as {
        n: number;
      }
    ).n;
    db.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, pageSize * (lastMessagePage - 1));
    closeSync(fd);

    const records = parse(path);

    const read = messages(records);
    expect(read.length).toBeGreaterThan(1000);
    expect(read.length).toBeLessThan(2000);
    expect(read.map((m) => m.source.rowId)).toEqual(read.map((_, i) => i + 1));
    expect(records.at(-1)).toEqual({
      type: 'problem',
      key: 'message-table',
      message: `messages after row ${read.length} unreadable: SQLITE_CORRUPT`,
      source: { file: 'sms.db', table: 'message' },
    });
  });

  it('gives each message its own attachments, passing over join rows of messages not there', () => {
    const photo = (n: number) => ({
      filename: `~/Library/SMS/Attachments/IMG_${n}.jpg`,
      mime: 'image/jpeg',
      bytes: n,
    });
    const at = appleNs('2024-03-09T21:00:00Z');
    const path = iosSmsDb(tempDir(), {
      chats: [{ handles: [ALICE], service: 'iMessage' }],
      messages: [
        { chat: 0, handle: ALICE, date: at, fromMe: false, attachments: [photo(1), photo(2)] },
        { chat: 0, handle: ALICE, date: at, fromMe: true, text: 'none here' },
        { chat: 0, handle: ALICE, date: at, fromMe: false, attachments: [photo(3)] },
      ],
    });
    const db = new Database(path);
    db.exec(`INSERT INTO message_attachment_join VALUES (0, 1), ('x', 2), (99, 3)`);
    db.close();

    expect(messages(parse(path)).map((m) => m.attachments.map((a) => a.size))).toEqual([
      [1, 2],
      [],
      [3],
    ]);
  });

  it('flags an attributedBody stored as text, an is_from_me neither 0 nor 1, a numeric service', () => {
    const path = phone(tempDir());
    const db = new Database(path);
    db.prepare(
      `UPDATE message SET text = NULL, attributedBody = 'plain', is_from_me = 7, service = 42
       WHERE ROWID = 1`,
    ).run();
    db.close();
    expect(messages(parse(path))[0]).toMatchObject({
      direction: 'unknown',
      senderKey: 'p:+447700900123',
      body: null,
      flags: ['attributed-body-unreadable', 'sent-as-other'],
    });
  });

  it('gives the same records in the same order on every run, counting messages as it goes', () => {
    const path = phone(tempDir());
    expect(parse(path)).toEqual(parse(path));
    expect(parseSqlite(iosSms, path).progress.at(-1)).toEqual([4, 4]);
  });

  const mvt = join(CORPUS, 'mobile', 'ios', 'mvt', 'sms.db');
  it.skipIf(!existsSync(mvt))(
    'reads the corpus iOS 16 sms.db with its reduced schema: 1 message from "apple" (mvt test file)',
    () => {
      const records = parse(mvt);
      expect(records.map((r) => `${r.type} ${r.key}`)).toEqual([
        'participant p:apple',
        'thread handle-thread:1',
        'message message:3',
      ]);
      expect(records[1]).toMatchObject({ service: 'sms' });
      expect(messages(records)[0]).toMatchObject({
        senderKey: 'p:apple',
        direction: 'incoming',
        body: 'Please click here https://badbadbad.example.org/',
        // 588813210539788000 ns after 2001, to the nearest millisecond.
        sentAt: { utc: '2019-08-29T23:13:30.540Z' },
        flags: [],
        source: { table: 'message', rowId: 3 },
      });
    },
  );
});
