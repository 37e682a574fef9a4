import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';

import type { SqliteFormat } from '../../../../workers/ingest/formats.js';
import { FORMATS } from '../../../../workers/ingest/formats/index.js';
import { whatsappContacts } from '../../../../workers/ingest/formats/whatsappContacts.js';
import { whatsappMsgstore } from '../../../../workers/ingest/formats/whatsappMsgstore.js';
import { eachRow } from '../../../../workers/ingest/formats/whatsappRows.js';
import { openSqliteCopy } from '../../../../workers/ingest/openSqliteCopy.js';
import type { IngestRecord, MessageRecord } from '../../../../workers/ingest/records.js';
import { CORPUS } from '../../../helpers/models.js';
import { useTempDirs } from '../../../helpers/temp.js';
import {
  waContactsDb,
  whatsappMsgstoreDb,
  type WaMessageFixture,
  type WaStoreFixture,
} from '../../../helpers/whatsappMsgstoreDb.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');
const DEALER = '447700900123@s.whatsapp.net';
const RUNNER = '447700900456@s.whatsapp.net';
const STRANGER = '81234567890123@lid';
const GROUP = '120363012345678901@g.us';
const PHOTO = 'Media/WhatsApp Images/IMG-20240309-WA0001.jpg';
const VOICE = 'Media/WhatsApp Voice Notes/202410/PTT-20240309-WA0002.opus';

const CONVERSATION: WaMessageFixture[] = [
  { chat: DEALER, fromMe: false, text: 'Ștefan vine mâine', timestamp: T0 },
  { chat: DEALER, fromMe: true, text: 'ok 🙂', timestamp: T0 + 60_000 },
  {
    chat: DEALER,
    fromMe: false,
    type: 1,
    text: 'the car',
    timestamp: T0 + 120_000,
    media: { mime: 'image/jpeg', size: 5120, path: PHOTO },
  },
  { chat: DEALER, fromMe: false, type: 15, text: null, timestamp: T0 + 180_000 },
  { chat: GROUP, fromMe: false, sender: RUNNER, type: 7, action: 11, timestamp: T0 + 240_000 },
  { chat: GROUP, fromMe: false, sender: RUNNER, text: 'at the station', timestamp: T0 + 300_000 },
  { chat: GROUP, fromMe: false, sender: STRANGER, text: 'who is this', timestamp: T0 + 360_000 },
  { chat: GROUP, fromMe: true, text: 'a friend', timestamp: T0 + 420_000 },
  {
    chat: DEALER,
    fromMe: false,
    type: 2,
    timestamp: T0 + 480_000,
    media: { mime: 'audio/ogg; codecs=opus', size: 3714, path: VOICE },
  },
  { chat: DEALER, fromMe: false, type: 5, location: [51.5007, -0.1246], timestamp: T0 + 540_000 },
  {
    chat: DEALER,
    fromMe: false,
    type: 4,
    vcard: 'BEGIN:VCARD\nFN:Tizio\nEND:VCARD',
    timestamp: T0 + 600_000,
  },
  { chat: DEALER, fromMe: false, text: 'clock wrong', timestamp: 42 },
];

function store(dir: string, schema: WaStoreFixture['schema'], more: Partial<WaStoreFixture> = {}) {
  return whatsappMsgstoreDb(dir, {
    schema,
    chats: [{ jid: DEALER }, { jid: GROUP, subject: 'Drop 🚚' }],
    members: [
      [GROUP, RUNNER],
      [GROUP, STRANGER],
    ],
    messages: CONVERSATION,
    ...more,
  });
}

function parse(format: SqliteFormat, path: string, workDir: string): IngestRecord[] {
  const { db, schema } = openSqliteCopy(path, workDir);
  try {
    expect(FORMATS.find((f) => f.kind === 'sqlite' && f.matches(schema))).toBe(format);
    const file = { path, name: 'msgstore.db', size: statSync(path).size, head: Buffer.alloc(0) };
    const ctx = {
      file,
      region: 'GB',
      workDir,
      signal: new AbortController().signal,
      progress: () => {},
    };
    return [...format.parse(db, schema, ctx)];
  } finally {
    db.close();
  }
}

const of = <T extends IngestRecord['type']>(records: IngestRecord[], type: T) =>
  records.filter((r): r is Extract<IngestRecord, { type: T }> => r.type === type);

describe('WhatsApp msgstore.db', () => {
  const tempDir = useTempDirs();

  it.each([
    ['legacy', 'messages', null],
    ['modern', 'message', PHOTO],
    ['both', 'message', PHOTO],
    ['migrating', 'messages', PHOTO],
  ] as const)(
    'reads the %s schema from its %s table, each message once',
    (schema, table, photoPath) => {
      const records = parse(whatsappMsgstore, store(tempDir(), schema), tempDir());
      const messages = of(records, 'message');
      const people = new Map(of(records, 'participant').map((p) => [p.key, p]));
      const who = (m: MessageRecord) =>
        m.senderKey === null ? null : people.get(m.senderKey)!.identifier;

      expect(messages.map((m) => m.source)).toEqual(
        CONVERSATION.map((_, i) => ({ file: 'msgstore.db', table, rowId: i + 2 })),
      );
      expect(messages.map((m) => [m.direction, who(m), m.body])).toEqual([
        ['incoming', '+447700900123', 'Ștefan vine mâine'],
        ['outgoing', null, 'ok 🙂'],
        ['incoming', '+447700900123', 'the car'],
        ['incoming', '+447700900123', null],
        ['unknown', '+447700900456', null],
        ['incoming', '+447700900456', 'at the station'],
        ['incoming', '81234567890123@lid', 'who is this'],
        ['outgoing', null, 'a friend'],
        ['incoming', '+447700900123', null],
        ['incoming', '+447700900123', null],
        ['incoming', '+447700900123', 'BEGIN:VCARD\nFN:Tizio\nEND:VCARD'],
        ['incoming', '+447700900123', 'clock wrong'],
      ]);
      expect(messages.map((m) => m.flags)).toEqual([
        [],
        [],
        [],
        ['revoked'],
        ['system', 'system-action-11'],
        [],
        [],
        [],
        [],
        ['location:51.5007,-0.1246'],
        ['contact-card'],
        ['time-out-of-range'],
      ]);
      expect(messages.map((m) => m.deleted)).toEqual(CONVERSATION.map((m) => m.type === 15));
      expect(messages[0]!.sentAt).toEqual({ utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null });
      expect(messages[2]!.attachments).toEqual([
        { name: null, mime: 'image/jpeg', size: 5120, path: photoPath },
      ]);
      expect(messages[8]!.attachments[0]).toMatchObject({ mime: 'audio/ogg; codecs=opus' });

      const threads = of(records, 'thread');
      expect(threads.map((t) => [t.key, t.title, t.isGroup, t.service])).toEqual([
        [`t:${DEALER}`, null, false, 'whatsapp'],
        [`t:${GROUP}`, 'Drop 🚚', true, 'whatsapp'],
      ]);
      expect(threads[1]!.participantKeys).toEqual(['p:+447700900456', 'p:81234567890123@lid']);
      expect(messages.map((m) => m.threadKey)).toEqual(CONVERSATION.map((m) => `t:${m.chat}`));
      expect([...people.values()].map((p) => [p.identifier, p.kind])).toEqual([
        ['+447700900123', 'phone'],
        ['+447700900456', 'phone'],
        ['81234567890123@lid', 'handle'],
      ]);
      expect(of(records, 'problem')).toEqual([]);
    },
  );

  it('reads the call log: which way, how long, voice or video, and keeps the outcome code', () => {
    const path = store(tempDir(), 'modern', {
      calls: [
        { jid: DEALER, fromMe: true, timestamp: T0, duration: 107 },
        { jid: DEALER, fromMe: false, timestamp: T0 + 60_000, duration: 91, video: true },
        { jid: RUNNER, fromMe: false, timestamp: T0 + 120_000, duration: 0, result: 2 },
        { jid: null, fromMe: false, timestamp: T0 + 180_000, duration: 12, group: GROUP },
      ],
    });
    const records = parse(whatsappMsgstore, path, tempDir());
    expect(
      of(records, 'call').map((c) => [
        c.key,
        c.participantKey,
        c.direction,
        c.startedAt?.utc,
        c.durationSeconds,
        c.flags,
        c.source,
      ]),
    ).toEqual([
      [
        'call_log:1',
        'p:+447700900123',
        'outgoing',
        '2024-03-09T21:00:00.000Z',
        107,
        ['call-result-5'],
        { file: 'msgstore.db', table: 'call_log', rowId: 1 },
      ],
      [
        'call_log:2',
        'p:+447700900123',
        'incoming',
        '2024-03-09T21:01:00.000Z',
        91,
        ['video', 'call-result-5'],
        { file: 'msgstore.db', table: 'call_log', rowId: 2 },
      ],
      [
        'call_log:3',
        'p:+447700900456',
        'missed',
        '2024-03-09T21:02:00.000Z',
        0,
        ['call-result-2'],
        { file: 'msgstore.db', table: 'call_log', rowId: 3 },
      ],
      [
        'call_log:4',
        null,
        'incoming',
        '2024-03-09T21:03:00.000Z',
        12,
        ['number-unknown', 'group-call', 'call-result-5'],
        { file: 'msgstore.db', table: 'call_log', rowId: 4 },
      ],
    ]);
    // Each person appears as a participant before the call that names them.
    const first = (key: string) => records.findIndex((r) => r.key === key);
    expect(first('p:+447700900456')).toBeLessThan(first('call_log:3'));
  });

  it("links a reply to the message it quotes, keeping WhatsApp's copy of the quoted text", () => {
    const path = store(tempDir(), 'modern', {
      messages: [
        { chat: DEALER, fromMe: false, text: 'how many', timestamp: T0 },
        {
          chat: DEALER,
          fromMe: true,
          text: 'ten',
          timestamp: T0 + 60_000,
          quote: { of: 0, text: 'how many' },
        },
        {
          chat: DEALER,
          fromMe: true,
          text: 'and?',
          timestamp: T0 + 120_000,
          quote: { of: 'GONE', text: 'deleted long ago' },
        },
      ],
    });
    const messages = of(parse(whatsappMsgstore, path, tempDir()), 'message');
    expect(messages.map((m) => [m.key, m.body, m.quote])).toEqual([
      ['message:2', 'how many', undefined],
      ['message:3', 'ten', { key: 'message:2', text: 'how many' }],
      ['message:4', 'and?', { key: null, text: 'deleted long ago' }],
    ]);
  });

  it('links a quote by who wrote it as well as its key_id, which the two sides may share', () => {
    const path = store(tempDir(), 'modern', {
      messages: [
        { chat: DEALER, fromMe: false, text: 'theirs', timestamp: T0 },
        { chat: DEALER, fromMe: true, text: 'mine', timestamp: T0 + 1 },
        {
          chat: DEALER,
          fromMe: true,
          text: 'quoting mine',
          timestamp: T0 + 2,
          quote: { of: 1, text: 'mine' },
        },
      ],
    });
    // Make the two quoted candidates share a key_id, as they may on two devices.
    const db = new Database(path);
    db.exec("UPDATE message SET key_id = 'K2' WHERE _id IN (2, 3)");
    db.exec("UPDATE message_quoted SET key_id = 'K2'");
    db.close();
    const messages = of(parse(whatsappMsgstore, path, tempDir()), 'message');
    expect(messages.at(-1)!.quote).toEqual({ key: 'message:3', text: 'mine' });
  });

  it('gives the same records, in the same order, on every run', () => {
    const path = store(tempDir(), 'modern');
    expect(parse(whatsappMsgstore, path, tempDir())).toEqual(
      parse(whatsappMsgstore, path, tempDir()),
    );
  });

  it('flags a message deleted for everyone through message_revoked, and keeps an orphan', () => {
    const path = store(tempDir(), 'modern', {
      messages: [
        { chat: DEALER, fromMe: false, text: 'take it back', revoked: true, timestamp: T0 },
        { chat: 'gone@s.whatsapp.net', fromMe: false, text: 'no chat row', timestamp: T0 },
      ],
    });
    const records = parse(whatsappMsgstore, path, tempDir());
    const [revoked, orphan] = of(records, 'message');
    expect(revoked).toMatchObject({ deleted: true, flags: ['revoked'], body: 'take it back' });
    expect(orphan).toMatchObject({ threadKey: 't:chat_row_id=9999', body: 'no chat row' });
  });

  it('says how many legacy rows have no copy in the new tables', () => {
    const path = store(tempDir(), 'both');
    const db = new Database(path);
    db.prepare(
      `INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp)
       VALUES (?, 0, 'ONLY-OLD', 0, 'left behind', ?)`,
    ).run(DEALER, T0);
    db.close();
    const records = parse(whatsappMsgstore, path, tempDir());
    expect(of(records, 'message')).toHaveLength(CONVERSATION.length);
    expect(of(records, 'problem').map((p) => p.message)).toEqual([
      '1 rows of the legacy messages table have no copy in the message table and were not read',
    ]);
  });

  it.each([
    [
      'a blob where text belongs',
      Buffer.from('hi\xff\xfe', 'latin1'),
      T0,
      'hi\ufffd\ufffd',
      ['text-stored-as-blob'],
    ],
    ['an enormous timestamp', 'ok', 9.2e18, 'ok', ['time-out-of-range']],
    ['a timestamp written as words', 'ok', 'yesterday', 'ok', ['time-out-of-range']],
  ] as const)('reads a row with %s, flagging it', (_what, data, timestamp, body, flags) => {
    const path = store(tempDir(), 'legacy', { messages: [] });
    const db = new Database(path);
    db.prepare(
      `INSERT INTO messages (key_remote_jid, key_from_me, key_id, status, data, timestamp,
         media_wa_type) VALUES (?, 0, 'K', 0, ?, ?, '0')`,
    ).run(DEALER, data, timestamp);
    db.close();
    const [message] = of(parse(whatsappMsgstore, path, tempDir()), 'message');
    expect(message).toMatchObject({ body, flags: [...flags] });
    expect(message!.sentAt?.utc ?? null).toBe(timestamp === T0 ? new Date(T0).toISOString() : null);
  });

  it('keeps what it read before a damaged page, and says where it broke off', () => {
    const messages = Array.from({ length: 3000 }, (_, i) => ({
      chat: DEALER,
      fromMe: false,
      text: `message number ${i} `.padEnd(200, '.'),
      timestamp: T0 + i,
    }));
    const path = store(tempDir(), 'legacy', { messages });
    // Wreck the header of a leaf page of the messages table two thirds of the way in.
    const pageSize = 4096;
    const pages = statSync(path).size / pageSize;
    const fd = openSync(path, 'r+');
    const head = Buffer.alloc(1);
    let page = Math.floor((pages * 2) / 3);
    for (; page < pages; page += 1) {
      readSync(fd, head, 0, 1, page * pageSize);
      if (head[0] === 0x0d) break;
    }
    writeSync(fd, Buffer.alloc(16, 0xff), 0, 16, page * pageSize);
    closeSync(fd);

    const records = parse(whatsappMsgstore, path, tempDir());
    const read = of(records, 'message').length;
    expect(read).toBeGreaterThan(1000);
    expect(read).toBeLessThan(3000);
    const problems = of(records, 'problem').map((p) => p.message);
    expect(problems.at(-1)).toMatch(
      /^the messages in messages could not be read past row \d+ \(SQLITE_CORRUPT\w*\); what was read before is kept$/,
    );
  });

  it('makes a row it cannot read into a problem and reads on', () => {
    const db = new Database(':memory:');
    db.exec(
      'CREATE TABLE t (_id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (1), (2), (3)',
    );
    const records = [
      ...eachRow<{ _id: number; v: string }>(
        db as unknown as Parameters<typeof eachRow>[0],
        'SELECT _id, v FROM t ORDER BY _id',
        { file: 'x.db', table: 't' },
        function* (r) {
          if (r.v === '2') throw new RangeError('no');
          yield { type: 'problem', key: `ok:${r.v}`, message: 'read', source: { file: 'x.db' } };
        },
      ),
    ];
    db.close();
    expect(records.map((r) => [r.key, r.type === 'problem' ? r.message : null])).toEqual([
      ['ok:1', 'read'],
      ['problem:t:2', 'row 2 of t could not be read (RangeError)'],
      ['ok:3', 'read'],
    ]);
  });

  it('reads wa.db as contacts, leaving groups to msgstore.db', () => {
    const path = waContactsDb(tempDir(), [
      { jid: DEALER, displayName: 'Dealer Dan', number: '07700 900123' },
      { jid: STRANGER, displayName: null, waName: 'Mystery' },
      { jid: GROUP, displayName: 'Drop 🚚' },
      { jid: '447700900789@s.whatsapp.net', displayName: 'Other', number: '07700 900999' },
    ]);
    const contacts = of(parse(whatsappContacts, path, tempDir()), 'contact');
    expect(contacts.map((c) => [c.key, c.name, c.identifiers, c.source.rowId])).toEqual([
      ['wa_contacts:1', 'Dealer Dan', ['+447700900123'], 1],
      ['wa_contacts:2', 'Mystery', ['81234567890123@lid'], 2],
      ['wa_contacts:4', 'Other', ['+447700900789', '+447700900999'], 4],
    ]);
  });

  const corpus = (...path: string[]) => join(CORPUS, 'mobile', 'android', ...path);
  const hickman = corpus('hickman_android10', 'whatsapp_msgstore.db');
  it.skipIf(!existsSync(hickman))(
    'reads the corpus 2020 transitional database from its legacy table: 2 texts with +1 919 888 7386',
    () => {
      const records = parse(whatsappMsgstore, hickman, tempDir());
      const messages = of(records, 'message');
      expect(messages).toHaveLength(10);
      expect(messages.every((m) => m.source.table === 'messages')).toBe(true);
      const texts = messages.filter((m) => m.body && !m.flags.includes('system'));
      expect(texts.map((m) => [m.body, m.direction])).toEqual([
        ['On WhatsApp now.', 'outgoing'],
        ["I'm here, too.", 'incoming'],
        ['Here I am!', 'outgoing'],
        ['Me, too!', 'incoming'],
      ]);
      expect(of(records, 'participant').map((p) => p.identifier)).toEqual(['+19198887386']);
      expect(messages.find((m) => m.source.rowId === 6)!.attachments).toEqual([
        {
          name: null,
          mime: 'image/jpeg',
          size: 152112,
          path: 'Media/WhatsApp Images/IMG-20200923-WA0001.jpg',
        },
      ]);
      // Four calls with the same person, two each way, two of them video (call_log rows 1 to 4).
      expect(
        of(records, 'call').map((c) => [
          c.participantKey,
          c.direction,
          c.startedAt?.utc,
          c.durationSeconds,
          c.flags,
        ]),
      ).toEqual([
        ['p:+19198887386', 'outgoing', '2020-09-23T14:19:29.721Z', 107, ['call-result-5']],
        ['p:+19198887386', 'incoming', '2020-09-23T14:22:10.000Z', 91, ['call-result-5']],
        ['p:+19198887386', 'outgoing', '2020-09-23T14:24:11.916Z', 92, ['video', 'call-result-5']],
        ['p:+19198887386', 'incoming', '2020-09-23T14:27:02.000Z', 122, ['video', 'call-result-5']],
      ]);
      expect(of(records, 'problem')).toEqual([]);
    },
  );
});
