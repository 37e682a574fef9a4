import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { EvidenceFile } from '../../../../workers/ingest/formats.js';
import { headerMs, readHeader } from '../../../../workers/ingest/formats/whatsappLines.js';
import { whatsappText } from '../../../../workers/ingest/formats/whatsappText.js';
import { bombReason } from '../../../../workers/ingest/formats/whatsappZip.js';
import type {
  IngestRecord,
  MessageRecord,
  ParticipantRecord,
} from '../../../../workers/ingest/records.js';
import { CORPUS } from '../../../helpers/models.js';
import { useTempDirs } from '../../../helpers/temp.js';
import {
  chatText,
  writeChatTxt,
  writeChatZip,
  type ChatLine,
  type ExportStyle,
} from '../../../helpers/whatsappExport.js';

function evidence(path: string, name = 'chat.txt'): EvidenceFile {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return { path, name, size: statSync(path).size, head: head.subarray(0, n) };
}

export async function parseExport(
  path: string,
  region = 'GB',
  name?: string,
): Promise<IngestRecord[]> {
  const file = evidence(path, name);
  expect(whatsappText.matches(file)).toBe(true);
  const out: IngestRecord[] = [];
  const ctx = {
    file,
    region,
    workDir: dirname(path),
    signal: new AbortController().signal,
    progress: () => {},
  };
  for await (const r of whatsappText.parse(ctx)) out.push(r);
  return out;
}

const messages = (rs: IngestRecord[]) => rs.filter((r): r is MessageRecord => r.type === 'message');

const CHAT: ChatLine[] = [
  { at: '2022-03-27T21:41:35Z', from: 'Dmitry S', text: 'Hello World' },
  { at: '2022-03-27T09:05:00Z', from: 'Elon Musk', text: 'first line\nsecond line' },
  { at: '2022-03-28T00:30:09Z', from: 'Dmitry S', text: 'after midnight' },
];

describe('whatsappText', () => {
  const tempDir = useTempDirs();

  it.each<[ExportStyle]>([
    ['ios-mdy'],
    ['ios-dmy-12h'],
    ['android-dmy'],
    ['android-mdy-12h'],
    ['android-dots'],
    ['android-dashes'],
    ['ios-arabic'],
  ])('reads the %s date style to the same times, senders and bodies', async (style) => {
    const ios = style.startsWith('ios');
    const rs = await parseExport(writeChatTxt(tempDir(), chatText(style, CHAT, '\r\n')));
    const got = messages(rs).map((m) => [m.sentAt?.utc, m.body, m.senderKey, m.flags]);
    const flags = ['local-time-unknown-zone'];
    expect(got).toEqual([
      ['2022-03-27T21:41:' + (ios ? '35' : '00') + '.000Z', 'Hello World', 'p:Dmitry S', flags],
      ['2022-03-27T09:05:00.000Z', 'first line\nsecond line', 'p:Elon Musk', flags],
      ['2022-03-28T00:30:' + (ios ? '09' : '00') + '.000Z', 'after midnight', 'p:Dmitry S', flags],
    ]);
    expect(messages(rs).map((m) => m.sentAt?.offsetMinutes)).toEqual([null, null, null]);
    expect(messages(rs).map((m) => m.source.line)).toEqual([1, 2, 4]);
  });

  it('flags the day-month order as guessed when no day is above 12, using the region', async () => {
    const lines = [{ at: '2022-03-04T10:00:00Z', from: 'A', text: 'x' }];
    const file = writeChatTxt(tempDir(), chatText('android-dmy', lines));
    const [gb] = messages(await parseExport(file, 'GB'));
    const [us] = messages(await parseExport(file, 'US'));
    expect(gb!.sentAt?.utc).toBe('2022-03-04T10:00:00.000Z');
    expect(us!.sentAt?.utc).toBe('2022-04-03T10:00:00.000Z');
    expect(gb!.flags).toContain('date-order-guessed');
  });

  it('settles the order from a later line whose day is above 12', async () => {
    const text = '03/04/2022, 10:00 - A: early\n04/13/2022, 11:00 - A: settles it\n';
    const [first, second] = messages(await parseExport(writeChatTxt(tempDir(), text), 'GB'));
    expect(first!.sentAt?.utc).toBe('2022-03-04T10:00:00.000Z');
    expect(second!.sentAt?.utc).toBe('2022-04-13T11:00:00.000Z');
    expect(first!.flags).not.toContain('date-order-guessed');
  });

  it('reads Buddhist calendar years and flags them', async () => {
    const text = '[3/27/2565 BE, 21:41:35] Dmitry S: Hello World\n';
    const [m] = messages(await parseExport(writeChatTxt(tempDir(), text)));
    expect(m!.sentAt?.utc).toBe('2022-03-27T21:41:35.000Z');
    expect(m!.flags).toContain('buddhist-calendar');
  });

  it('keeps direction marks in the stored body but parses past them', async () => {
    const text = '\u200e[3/27/22, 21:41:55] Dmitry S: \u200eimage omitted\n';
    const [m] = messages(await parseExport(writeChatTxt(tempDir(), text)));
    expect(m!.body).toBe('\u200eimage omitted');
    expect(m!.senderKey).toBe('p:Dmitry S');
    expect(m!.flags).toContain('media-omitted');
  });

  it('flags system lines, media-omitted lines and the app notes', async () => {
    const text = [
      '18/03/2022, 14:50 - Messages and calls are end-to-end encrypted.',
      '18/03/2022, 14:51 - Dmitry S created group "Group Chat"',
      '18/03/2022, 15:10 - Dmitry S: <Media omitted>',
      '18/03/2022, 15:11 - Dmitry S: <Без медиафайлов>',
      '18/03/2022, 15:12 - Dmitry S: <b>not media</b> but words',
    ].join('\n');
    const ms = messages(await parseExport(writeChatTxt(tempDir(), text)));
    expect(
      ms.map((m) => [m.senderKey, m.flags.filter((f) => f !== 'local-time-unknown-zone')]),
    ).toEqual([
      [null, ['system']],
      [null, ['system']],
      ['p:Dmitry S', ['media-omitted']],
      ['p:Dmitry S', ['media-omitted']],
      ['p:Dmitry S', []],
    ]);
  });

  it('turns a phone number written as a name into E.164', async () => {
    const text = '[18/03/2022, 14:56:00] \u202a+44\u00a07700\u00a0900123\u202c: hi\n';
    const rs = await parseExport(writeChatTxt(tempDir(), text));
    const p = rs.find((r): r is ParticipantRecord => r.type === 'participant');
    expect(p).toMatchObject({ identifier: '+447700900123', kind: 'phone', key: 'p:+447700900123' });
    expect(messages(rs)[0]!.senderKey).toBe('p:+447700900123');
  });

  it('yields participants before the thread, and the same records on every run', async () => {
    const file = writeChatTxt(tempDir(), chatText('ios-mdy', CHAT));
    const first = await parseExport(file);
    expect(first.map((r) => r.type)).toEqual([
      'participant',
      'participant',
      'thread',
      'message',
      'message',
      'message',
    ]);
    expect(first.find((r) => r.type === 'thread')).toMatchObject({
      service: 'whatsapp',
      title: 'chat',
      isGroup: false,
      participantKeys: ['p:Dmitry S', 'p:Elon Musk'],
    });
    expect(await parseExport(file)).toEqual(first);
  });

  it.each([
    ['an impossible date', '[2/30/22, 10:00:00] A: x', 'time-unreadable'],
    ['hour 25', '[3/27/22, 25:00:00] A: x', 'time-unreadable'],
    ['13 pm', '[3/27/22, 13:00:00 PM] A: x', 'time-unreadable'],
    ['a year before phones', '[3/27/1970, 10:00:00] A: x', 'time-out-of-range'],
  ])('keeps a message with %s, without a time and flagged', async (_what, line, flag) => {
    const text = `[3/27/22, 09:00:00] A: fine\n${line}\n`;
    const [, m] = messages(await parseExport(writeChatTxt(tempDir(), text)));
    expect(m).toMatchObject({ sentAt: null, body: 'x' });
    expect(m!.flags).toContain(flag);
  });

  it('flags invalid UTF-8 and keeps the rest of the line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('[3/27/22, 09:00:00] A: bad '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' end\n[3/27/22, 09:01:00] A: good\n'),
    ]);
    const [bad, good] = messages(await parseExport(writeChatTxt(tempDir(), bytes)));
    expect(bad!.body).toBe('bad \ufffd\ufffd end');
    expect(bad!.flags).toContain('invalid-utf8');
    expect(good!.flags).not.toContain('invalid-utf8');
  });

  it('cuts an enormous single line and flags it, keeping the messages after it', async () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const text = `[3/27/22, 09:00:00] A: ${huge}\n[3/27/22, 09:01:00] A: after\n`;
    const [big, after] = messages(await parseExport(writeChatTxt(tempDir(), text)));
    expect(big!.flags).toContain('line-truncated');
    expect(big!.body!.length).toBeLessThan(huge.length);
    expect(after!.body).toBe('after');
  });

  it('reports text before the first dated line as one problem, and reads on', async () => {
    const text = 'stray\n\nmore stray\n[3/27/22, 09:00:00] A: x\n';
    const rs = await parseExport(writeChatTxt(tempDir(), text));
    expect(messages(rs).map((m) => m.body)).toEqual(['x']);
    expect(rs.filter((r) => r.type === 'problem')).toEqual([
      {
        type: 'problem',
        key: 'problem:L1',
        message: '2 line(s) before the first dated line were not read as messages',
        source: { file: 'chat.txt', line: 1 },
      },
    ]);
  });

  it('is not fooled by a name: plain prose called _chat.txt is not an export', async () => {
    const path = writeChatTxt(tempDir(), 'Dear Sir,\n12/03/2022 we met.\n', '_chat.txt');
    expect(whatsappText.matches(evidence(path, '_chat.txt'))).toBe(false);
  });

  it('links attachment lines to the files beside the chat in the zip', async () => {
    const text = [
      '[3/27/22, 21:41:55] Dmitry S: \u200e<attached: 00000035-PHOTO-2022-03-27-21-41-55.jpg>',
      '[3/27/22, 21:44:47] Dmitry S: \u200e<attached: 00000038-AUDIO-2022-03-27-21-44-47.opus>',
      '[3/27/22, 21:45:00] Dmitry S: \u200e<attached: 00000039-gone.pdf>',
    ].join('\n');
    const zip = writeChatZip(tempDir(), text, {
      '00000035-PHOTO-2022-03-27-21-41-55.jpg': new Uint8Array(1234),
      '00000038-AUDIO-2022-03-27-21-44-47.opus': new Uint8Array(99),
    });
    const ms = messages(await parseExport(zip, 'GB', 'WhatsApp Chat - Test.zip'));
    expect(ms.map((m) => m.attachments[0])).toEqual([
      {
        name: '00000035-PHOTO-2022-03-27-21-41-55.jpg',
        mime: 'image/jpeg',
        size: 1234,
        path: '00000035-PHOTO-2022-03-27-21-41-55.jpg',
      },
      {
        name: '00000038-AUDIO-2022-03-27-21-44-47.opus',
        mime: 'audio/ogg',
        size: 99,
        path: '00000038-AUDIO-2022-03-27-21-44-47.opus',
      },
      { name: '00000039-gone.pdf', mime: 'application/pdf', size: null, path: null },
    ]);
    expect(ms[2]!.flags).toContain('attachment-missing');
    expect(ms[0]!.source).toEqual({ file: '_chat.txt', line: 1 });
  });

  it('reads each chat text in a zip as a thread, and a shared .txt as an attachment', async () => {
    const zip = writeChatZip(
      tempDir(),
      '[3/27/22, 21:41:55] A: \u200e<attached: 00000046-notes.txt>',
      {
        '00000046-notes.txt': 'shopping list\nmilk',
        'other/chat.txt': '27/03/2022, 21:41 - B: second chat',
      },
    );
    const rs = await parseExport(zip, 'GB', 'x.zip');
    expect(rs.filter((r) => r.type === 'thread').map((t) => t.key)).toEqual([
      'thread:_chat.txt:chat',
      'thread:other/chat.txt:chat',
    ]);
    expect(messages(rs).map((m) => [m.key, m.threadKey, m.attachments[0]?.path ?? null])).toEqual([
      ['wa:_chat.txt:L1', 'thread:_chat.txt:chat', '00000046-notes.txt'],
      ['wa:other/chat.txt:L1', 'thread:other/chat.txt:chat', null],
    ]);
  });

  it('links Android "(file attached)" lines in any language', async () => {
    const text =
      '18/03/2022, 15:12 - Dmitry S: \u200ePTT-20220323-WA0000.opus (bestand bijgevoegd)';
    const zip = writeChatZip(tempDir(), text, { 'PTT-20220323-WA0000.opus': new Uint8Array(7) });
    const [m] = messages(await parseExport(zip, 'GB', 'x.zip'));
    expect(m!.attachments).toEqual([
      {
        name: 'PTT-20220323-WA0000.opus',
        mime: 'audio/ogg',
        size: 7,
        path: 'PTT-20220323-WA0000.opus',
      },
    ]);
  });

  it('refuses traversal, absolute, backslash and encrypted entries, each a problem', async () => {
    const text = '[3/27/22, 21:41:55] A: \u200e<attached: evil.jpg>';
    const zip = writeChatZip(tempDir(), text, {
      '../evil.jpg': 'x',
      '/etc/evil.jpg': 'x',
      'a\\evil.jpg': 'x',
      'locked.jpg': 'x',
    });
    encrypt(zip, 'locked.jpg');
    const rs = await parseExport(zip, 'GB', 'x.zip');
    const problems = rs.filter((r) => r.type === 'problem').map((r) => [r.source.file, r.message]);
    expect(problems).toEqual([
      ['../evil.jpg', 'entry skipped: its name climbs out of the archive (..)'],
      ['/etc/evil.jpg', 'entry skipped: its name is an absolute path'],
      ['a\\evil.jpg', 'entry skipped: its name holds a backslash'],
      ['locked.jpg', 'entry skipped: it is encrypted'],
    ]);
    const [m] = messages(rs);
    expect(m!.attachments[0]!.path).toBeNull();
  });

  it.each([
    ['a chat text over 1 GiB', { size: 2 ** 30 + 1, compressedSize: 2 ** 29 }, 0, /inflate to/],
    ['packed over 200 to 1', { size: 300 << 20, compressedSize: 1 << 20 }, 0, /300 to 1/],
    [
      'past 2 GiB of chat texts',
      { size: 600 << 20, compressedSize: 300 << 20 },
      1.8 * 2 ** 30,
      /over/,
    ],
    ['an ordinary chat text', { size: 5 << 20, compressedSize: 1 << 20 }, 0, null],
  ] as const)('judges %s by its declared sizes', (_what, entry, before, reason) => {
    const got = bombReason(entry, before);
    if (reason === null) expect(got).toBeNull();
    else expect(got).toMatch(reason);
  });

  it('keeps what parsed before damage inside the compressed chat text, then says so', async () => {
    const lines = Array.from({ length: 4000 }, (_, i) => ({
      at: '2022-03-27T10:00:00Z',
      from: i % 2 ? 'A' : 'B',
      // Words that differ line to line, so the text stays long once deflated.
      text: `message ${i} ${((i * 2654435761) % 2 ** 32).toString(36)}`,
    }));
    const zip = writeChatZip(tempDir(), chatText('ios-mdy', lines));
    const buf = readFileSync(zip);
    // Inside the deflated _chat.txt, which starts just after the 39-byte local header.
    buf.fill(0xff, 30_000, 30_400);
    writeFileSync(zip, buf);
    const rs = await parseExport(zip, 'GB', 'x.zip');
    const ms = messages(rs);
    expect(ms.length).toBeGreaterThan(100);
    expect(ms.length).toBeLessThan(4000);
    expect(ms[0]!.body).toMatch(/^message 0 /);
    expect(rs.at(-1)).toMatchObject({
      type: 'problem',
      message: expect.stringMatching(/^chat text ends early: /),
    });
  });

  it('fails a .zip with no central directory with one clear line', async () => {
    const zip = writeChatZip(tempDir(), '[3/27/22, 21:41:55] A: hi\n');
    writeFileSync(zip, readFileSync(zip).subarray(0, 60));
    await expect(parseExport(zip, 'GB', 'x.zip')).rejects.toMatchObject({
      kind: 'bad-input',
      message: expect.stringMatching(/^the \.zip cannot be read: /),
    });
  });

  it('does not inflate a chat text packed like a zip bomb', async () => {
    const bomb = `[3/27/22, 21:41:55] A: hi\n${'\n'.repeat(64 * 1024 * 1024)}`;
    const dir = tempDir();
    const zip = writeChatZip(dir, '[3/27/22, 21:41:55] A: real\n', { 'bomb.txt': bomb });
    const rs = await parseExport(zip, 'GB', 'x.zip');
    expect(rs.filter((r) => r.type === 'problem').map((r) => r.message)).toEqual([
      expect.stringMatching(/^chat text not read: it is compressed \d+ to 1$/),
    ]);
    expect(messages(rs).map((m) => m.body)).toEqual(['real']);
  });
});

describe('whatsappLines', () => {
  it.each([
    ['[27/03/2022, 9:41:35\u202fpm] ', 'dmy', '2022-03-27T21:41:35.000Z'],
    ['[27/03/2022, 12:05:00 a.m.] ', 'dmy', '2022-03-27T00:05:00.000Z'],
    ['27/03/2022, 9:41 p. m. - ', 'dmy', '2022-03-27T21:41:00.000Z'],
    ['[2022/03/27 午後9:41:35] ', 'ymd', '2022-03-27T21:41:35.000Z'],
    ['2022. 03. 27. 오후 9:41 - ', 'ymd', '2022-03-27T21:41:00.000Z'],
    ['[2022-03-27 21:41:35] ', 'ymd', '2022-03-27T21:41:35.000Z'],
    ['27.03.22, 21:41 - ', 'dmy', '2022-03-27T21:41:00.000Z'],
    ['[3/27/22 21.41.35] ', 'mdy', '2022-03-27T21:41:35.000Z'],
    ['\u200f[٢٧\u200f/٣\u200f/٢٠٢٢، ٩:٤١:٣٥\u00a0م] ', 'dmy', '2022-03-27T21:41:35.000Z'],
    ['[27/3/2565 BE, 21:41:35] ', 'dmy', '2022-03-27T21:41:35.000Z'],
  ] as const)('reads the header %j', (header, order, utc) => {
    const h = readHeader(`${header}Name: body`);
    expect(h).not.toBeNull();
    const ms = headerMs(h!, order);
    expect(new Date(ms!).toISOString()).toBe(utc);
    expect(`${header}Name: body`.slice(h!.restAt)).toBe('Name: body');
  });

  it.each([
    ['prose', 'Dear Sir, 12/03/2022 we met'],
    ['a date with no time', '12/03/2022 - A: x'],
    ['a bracket never closed', '[3/27/22, 21:41:35 A: x'],
  ])('reads no header in %s', (_what, line) => {
    expect(readHeader(line)).toBeNull();
  });
});

const CORPUS_TXT = join(CORPUS, 'mobile', 'whatsapp_txt');

describe('whatsappText on the corpus exports', () => {
  const chatMiner = join(CORPUS_TXT, 'chat_miner');
  it
    .skipIf(!existsSync(chatMiner))
    .each([
      ['test_bracket_mmddyy_24hrs.txt'],
      ['test_ddmmyy_24hrs.txt'],
      ['test_mmddyy_24hrs.txt'],
    ])('reads chat_miner %s as its target.json gives it', async (name) => {
    const target = JSON.parse(readFileSync(join(chatMiner, 'target.json'), 'utf8')) as {
      timestamp: string;
      author: string;
      message: string;
    }[];
    const rs = await parseExport(join(chatMiner, name), 'GB', name);
    const names = new Map(
      rs.filter((r) => r.type === 'participant').map((p) => [p.key, p.identifier]),
    );
    const said = messages(rs)
      .filter((m) => !m.flags.includes('system'))
      .map((m) => ({
        timestamp: m.sentAt!.utc.replace('.000Z', ''),
        author: names.get(m.senderKey!),
        message: m.body!.replace(/\n/g, ' '),
      }));
    expect(said.reverse()).toEqual(target);
    // Two notices and "John Doe:." (no space after the colon, so no "Name: " part).
    expect(messages(rs).filter((m) => m.flags.includes('system'))).toHaveLength(3);
    expect(messages(rs).some((m) => m.flags.includes('date-order-guessed'))).toBe(false);
  });

  const whatsJson = join(CORPUS_TXT, 'whats_json');
  const ios = ['czech', 'deutch', 'english', 'french', 'indonesian', 'italian', 'japanese'];
  it
    .skipIf(!existsSync(whatsJson))
    .each(
      [...ios, 'portugal', 'spanish', 'ukrainian', 'arabic', 'calendar_buddhist'].map((l) => [l]),
    )('reads the %s iOS export of the whats_json chat', async (language) => {
    const name = `${language}_ios.txt`;
    const rs = await parseExport(join(whatsJson, name), 'GB', name);
    const ms = messages(rs);
    expect(rs.filter((r) => r.type === 'problem')).toEqual([]);
    expect(ms).toHaveLength(language === 'calendar_buddhist' ? 28 : 23);
    expect(ms[1]).toMatchObject({
      body: 'Hello World',
      senderKey: 'p:Dmitry S',
      sentAt: { utc: '2022-03-27T21:41:35.000Z', offsetMinutes: null },
    });
    expect(ms.filter((m) => m.flags.includes('media-omitted')).length).toBeGreaterThanOrEqual(14);
    expect(ms.every((m) => !m.flags.includes('date-order-guessed'))).toBe(true);
  });

  it.skipIf(!existsSync(whatsJson)).each([['english'], ['russian']])(
    'reads the %s Android export: 60 messages, the banner a system line',
    async (language) => {
      const name = `${language}_android.txt`;
      const ms = messages(await parseExport(join(whatsJson, name), 'GB', name));
      expect(ms).toHaveLength(60);
      expect(ms[0]!.flags).toContain('system');
      expect(ms[1]).toMatchObject({ body: 'Hello', sentAt: { utc: '2022-03-18T14:56:00.000Z' } });
      expect(ms.filter((m) => m.flags.includes('media-omitted'))).toHaveLength(27);
    },
  );

  it.skipIf(!existsSync(whatsJson))('reads the iOS export delivered as a .zip', async () => {
    const name = 'WhatsApp_Chat_Elon_Musk_RU_ios_export.zip';
    const rs = await parseExport(join(whatsJson, name), 'GB', name);
    expect(messages(rs)).toHaveLength(25);
    expect(messages(rs)[1]).toMatchObject({
      body: 'Hello World',
      senderKey: 'p:Dmitry Starkov',
      source: { file: '_chat.txt', line: 2 },
    });
  });

  const analytics = join(CORPUS_TXT, 'chat_analytics', '4A_11M.txt');
  it.skipIf(!existsSync(analytics))(
    'reads chat_analytics 4A_11M: 11 messages, the day-month order left to the region',
    async () => {
      const ms = messages(await parseExport(analytics, 'US', '4A_11M.txt'));
      expect(ms.filter((m) => !m.flags.includes('system'))).toHaveLength(11);
      expect(ms[3]).toMatchObject({ body: 'hello', sentAt: { utc: '2020-12-09T23:55:00.000Z' } });
      expect(ms.every((m) => m.flags.includes('date-order-guessed'))).toBe(true);
    },
  );
});

/** Sets the "encrypted" bit on an entry in both its local and its central header. */
function encrypt(zipPath: string, entry: string): void {
  const buf = readFileSync(zipPath);
  const name = Buffer.from(entry);
  for (const [sig, flagAt, nameAt] of [
    [0x04034b50, 6, 30],
    [0x02014b50, 8, 46],
  ] as const) {
    for (let i = 0; i + nameAt <= buf.length; i += 1) {
      if (buf.readUInt32LE(i) !== sig) continue;
      const len = buf.readUInt16LE(i + (sig === 0x04034b50 ? 26 : 28));
      if (buf.subarray(i + nameAt, i + nameAt + len).equals(name)) {
        buf.writeUInt16LE(buf.readUInt16LE(i + flagAt) | 1, i + flagAt);
      }
    }
  }
  writeFileSync(zipPath, buf);
}
