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
import { FORMATS } from '../../../../workers/ingest/formats/index.js';
import { ufdr } from '../../../../workers/ingest/formats/ufdr.js';
import { openUfdrArchive } from '../../../../workers/ingest/formats/ufdrArchive.js';
import { ufdrDuration, ufdrTime } from '../../../../workers/ingest/formats/ufdrTime.js';
import type {
  CallRecord,
  ContactRecord,
  IngestRecord,
  MessageRecord,
  ParticipantRecord,
  ProblemRecord,
  ThreadRecord,
} from '../../../../workers/ingest/records.js';
import { CORPUS } from '../../../helpers/models.js';
import { useTempDirs } from '../../../helpers/temp.js';
import {
  CELLEBRITE_NS,
  claimUncompressedSize,
  markEncrypted,
  ufdrReportXml,
  writeUfdrXml,
  writeUfdrZip,
  type UfdrReport,
} from '../../../helpers/ufdrReport.js';

function evidence(path: string): EvidenceFile {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return {
    path,
    name: path.split('/').pop()!,
    size: statSync(path).size,
    head: head.subarray(0, n),
  };
}

async function parse(path: string): Promise<IngestRecord[]> {
  const file = evidence(path);
  const out: IngestRecord[] = [];
  const parsed = ufdr.parse({
    file,
    region: 'GB',
    workDir: dirname(path),
    signal: new AbortController().signal,
    progress: () => {},
  });
  for await (const r of parsed) out.push(r);
  return out;
}

const of = <T extends IngestRecord['type']>(records: IngestRecord[], type: T) =>
  records.filter((r) => r.type === type) as Extract<IngestRecord, { type: T }>[];

const OWNER = { id: '447700900001@s.whatsapp.net', name: 'Owner', owner: true };
const DEALER = { id: '447700900123@s.whatsapp.net', name: 'Dealer' };
const RUNNER = { id: '+44 7700 900456', name: 'Runner' };

const REPORT: UfdrReport = {
  chats: [
    {
      id: 'chat-1',
      source: 'WhatsApp',
      name: 'Orders',
      participants: [OWNER, DEALER],
      messages: [
        {
          id: 'm1',
          from: DEALER,
          to: [OWNER],
          body: 'Ștefan vine mâine',
          time: '2019-03-04T10:22:33.000+01:00',
        },
        { id: 'm2', from: OWNER, to: [DEALER], body: 'ok', time: '2019-03-04T10:23:00.500+01:00' },
        {
          id: 'm3',
          from: DEALER,
          body: 'see this',
          time: '2019-03-04T11:00:00.000+01:00',
          deleted: true,
          attachments: [
            { filename: 'IMG-1.jpg', contentType: 'image/jpeg', url: 'files/Image/IMG-1.jpg' },
            {
              filename: 'x.opus',
              contentType: 'audio/ogg',
              url: 'https://mmg.whatsapp.net/v/t62/x',
              extractedPath: '..\\..\\etc\\passwd',
            },
          ],
        },
      ],
    },
    {
      id: 'chat-2',
      source: 'Telegram',
      participants: [OWNER, DEALER, RUNNER],
      messages: [{ id: 'g1', from: RUNNER, body: 'at the station', time: '2019-03-05T08:00:00Z' }],
    },
  ],
  calls: [
    {
      parties: [OWNER, RUNNER],
      type: 'Outgoing',
      time: '2019-03-05T09:00:00.000+00:00',
      duration: '00:01:05',
    },
    {
      parties: [DEALER],
      type: 'Missed',
      direction: 'Incoming',
      time: '2019-03-05T10:00:00.000-05:00',
      deleted: true,
    },
  ],
  contacts: [
    {
      name: 'Dealer',
      entries: [
        { kind: 'PhoneNumber', value: '07700 900123' },
        { kind: 'UserID', value: '447700900123@s.whatsapp.net' },
      ],
    },
  ],
};

describe('ufdr', () => {
  const tempDir = useTempDirs();

  it('is chosen by content: a zip holding Cellebrite report.xml and a bare report.xml, under any name', () => {
    const dir = tempDir();
    const zip = writeUfdrZip(dir, REPORT, { name: 'evidence.bin' });
    const xml = writeUfdrXml(dir, REPORT, 'export.dat');
    const otherXml = writeUfdrXml(
      dir,
      '<?xml version="1.0"?><project xmlns="urn:other"/>',
      'report.xml',
    );
    const otherZip = writeUfdrZip(dir, '<notes/>', { name: 'other.ufdr' });
    const stored = writeUfdrZip(dir, REPORT, { name: 'stored.zip', level: 0 });
    const pick = (p: string) =>
      FORMATS.find((f) => f.kind === 'file' && f.matches(evidence(p)))?.id;
    // A zip that is no UFDR is left to the file-system archive format, read for its databases.
    expect([zip, xml, stored, otherXml, otherZip].map(pick)).toEqual([
      'cellebrite.ufdr',
      'cellebrite.ufdr',
      'cellebrite.ufdr',
      undefined,
      'archive.fs',
    ]);
  });

  it('reads chats, messages, calls and contacts, people before the messages that name them', async () => {
    const dir = tempDir();
    const records = await parse(
      writeUfdrZip(dir, REPORT, { files: { 'files/Image/IMG-1.jpg': 'jpeg bytes' } }),
    );

    const order = records.map((r) => r.type);
    expect(order.indexOf('participant')).toBeLessThan(order.indexOf('thread'));
    const threads = of(records, 'thread');
    expect(threads.map((t) => [t.service, t.title, t.isGroup, t.participantKeys])).toEqual([
      ['whatsapp', 'Orders', false, ['p:+447700900001', 'p:+447700900123']],
      ['telegram', null, true, ['p:+447700900001', 'p:+447700900123', 'p:+447700900456']],
    ]);
    expect(threads[0]!.source).toEqual({
      file: 'extraction.ufdr!/report.xml',
      xmlPath: "/project/decodedData/modelType[@type='Chat']/model[@id='chat-1']",
    });

    const messages = of(records, 'message');
    expect(messages.map((m) => [m.body, m.direction, m.senderKey, m.sentAt, m.deleted])).toEqual([
      [
        'Ștefan vine mâine',
        'incoming',
        'p:+447700900123',
        { utc: '2019-03-04T09:22:33.000Z', offsetMinutes: 60 },
        false,
      ],
      ['ok', 'outgoing', null, { utc: '2019-03-04T09:23:00.500Z', offsetMinutes: 60 }, false],
      [
        'see this',
        'incoming',
        'p:+447700900123',
        { utc: '2019-03-04T10:00:00.000Z', offsetMinutes: 60 },
        true,
      ],
      [
        'at the station',
        'incoming',
        'p:+447700900456',
        { utc: '2019-03-05T08:00:00.000Z', offsetMinutes: 0 },
        false,
      ],
    ]);
    expect(messages[0]!.source.xmlPath).toBe(
      "/project/decodedData/modelType[@type='Chat']/model[@id='chat-1']/multiModelField[@name='Messages']/model[@id='m1']",
    );
    expect(messages[2]!.attachments).toEqual([
      { name: 'IMG-1.jpg', mime: 'image/jpeg', size: null, path: 'files/Image/IMG-1.jpg' },
      { name: 'x.opus', mime: 'audio/ogg', size: null, path: null },
    ]);
    expect(messages[2]!.flags).toEqual(['attachment-path-outside-archive']);

    const people = of(records, 'participant');
    expect(people.map((p) => [p.identifier, p.name, p.kind])).toEqual([
      ['+447700900001', 'Owner', 'phone'],
      ['+447700900123', 'Dealer', 'phone'],
      ['+447700900456', 'Runner', 'phone'],
    ]);

    expect(
      of(records, 'call').map((c) => [
        c.participantKey,
        c.direction,
        c.startedAt,
        c.durationSeconds,
        c.deleted,
      ]),
    ).toEqual([
      [
        'p:+447700900456',
        'outgoing',
        { utc: '2019-03-05T09:00:00.000Z', offsetMinutes: 0 },
        65,
        false,
      ],
      [
        'p:+447700900123',
        'missed',
        { utc: '2019-03-05T15:00:00.000Z', offsetMinutes: -300 },
        null,
        true,
      ],
    ]);
    expect(of(records, 'contact').map((c) => [c.name, c.identifiers])).toEqual([
      ['Dealer', ['+447700900123']],
    ]);
    expect(of(records, 'problem')).toEqual([]);
  });

  it('gives the same records in the same order on every run, keys unique', async () => {
    const path = writeUfdrZip(tempDir(), REPORT);
    const first = await parse(path);
    expect(await parse(path)).toEqual(first);
    const keys = first.map((r) => `${r.type}:${r.key}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('flags an attachment the bare report.xml points to but does not hold', async () => {
    const records = await parse(writeUfdrXml(tempDir(), REPORT));
    const m = of(records, 'message')[2]!;
    expect(m.attachments.map((a) => a.path)).toEqual([null, null]);
    expect(m.flags).toEqual(['attachment-not-in-evidence', 'attachment-path-outside-archive']);
    expect(m.source.file).toBe('report.xml');
  });

  it.each([
    ['a Windows absolute path', 'C:\\Users\\x\\a.jpg'],
    ['a Unix absolute path', '/etc/shadow'],
    ['a climb hidden behind backslashes', 'files\\..\\..\\a.jpg'],
    ['a file: URL out of the archive', 'file:///etc/passwd'],
  ])('never links an attachment whose path is %s', async (_what, url) => {
    const report: UfdrReport = {
      chats: [
        {
          participants: [DEALER],
          messages: [{ from: DEALER, body: 'x', attachments: [{ filename: 'a.jpg', url }] }],
        },
      ],
    };
    const records = await parse(writeUfdrZip(tempDir(), report, { files: { 'a.jpg': 'x' } }));
    const m = of(records, 'message')[0]!;
    expect(m.attachments[0]!.path).toBeNull();
    expect(m.flags).toContain('attachment-path-outside-archive');
  });

  it.each([
    ['2019-03-04T10:22:33.000+01:00', { utc: '2019-03-04T09:22:33.000Z', offsetMinutes: 60 }, null],
    ['2019-03-04T10:22:33+0530', { utc: '2019-03-04T04:52:33.000Z', offsetMinutes: 330 }, null],
    ['2019-03-04T10:22:33.1234567Z', { utc: '2019-03-04T10:22:33.123Z', offsetMinutes: 0 }, null],
    [
      '2019-03-04T10:22:33',
      { utc: '2019-03-04T10:22:33.000Z', offsetMinutes: null },
      'time-offset-unknown',
    ],
    ['1601-01-01T00:00:00.000+00:00', null, 'time-out-of-range'],
    ['9999-12-31T23:59:59.000+00:00', null, 'time-out-of-range'],
    ['2019-02-30T10:00:00Z', null, 'time-unreadable'],
    ['2019-03-04T10:22:33+25:00', null, 'time-unreadable'],
    ['yesterday', null, 'time-unreadable'],
  ])('reads the TimeStamp %s', (text, time, flag) => {
    expect(ufdrTime(text)).toEqual({ time, flag });
  });

  it.each([
    ['00:01:05', 65],
    ['1.02:00:00', 93_600],
    ['00:00:07.5000000', 7],
    ['42', 42],
    ['forever', null],
  ])('reads the Duration %s', (text, seconds) => {
    expect(ufdrDuration(text)).toBe(seconds);
  });

  it('keeps what parsed from a truncated report.xml and reports where it stopped', async () => {
    const xml = ufdrReportXml(REPORT);
    const cut = xml.slice(0, xml.indexOf('id="m3"') + 200);
    const records = await parse(writeUfdrXml(tempDir(), cut));
    expect(of(records, 'message').map((m) => m.body)).toEqual(['Ștefan vine mâine', 'ok']);
    const problems = of(records, 'problem');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/\(truncated\): everything read before it is kept/);
    expect(problems[0]!.source.xmlPath).toMatch(/model\[@id='m3'\]/);
  });

  it('keeps what parsed when a zipped report.xml breaks off mid-stream', async () => {
    const messages = Array.from({ length: 2000 }, (_, i) => ({
      from: DEALER,
      body: `number ${i}`,
    }));
    const path = writeUfdrZip(tempDir(), { chats: [{ participants: [DEALER], messages }] });
    const zip = readFileSync(path);
    // Scramble the deflate stream four fifths of the way through the archive.
    const at = Math.floor(zip.length * 0.8);
    for (let i = at; i < at + 64; i += 1) zip[i] = (i * 37) & 0xff;
    writeFileSync(path, zip);
    const records = await parse(path);
    const read = of(records, 'message').map((m) => m.body);
    expect(read.length).toBeGreaterThan(100);
    expect(read.length).toBeLessThan(2000);
    // The last message before the break may hold bytes the damaged stream made up.
    expect(read.slice(0, -1)).toEqual(messages.slice(0, read.length - 1).map((m) => m.body));
    expect(of(records, 'problem').at(-1)!.message).toMatch(
      /^report.xml could not be read past byte \d+ \(.+\): everything read before it is kept/,
    );
  });

  it('reads every message of an archive whose report.xml fails its CRC, and says so', async () => {
    const path = writeUfdrZip(tempDir(), REPORT, { level: 0 });
    const zip = readFileSync(path);
    zip.write('X', zip.indexOf('see this'));
    writeFileSync(path, zip);
    const records = await parse(path);
    expect(of(records, 'message').map((m) => m.body)).toContain('Xee this');
    expect(of(records, 'problem').map((p) => p.message)).toEqual([
      'report.xml fails its CRC-32 check: the archive is damaged, and text read from it may be too',
    ]);
  });

  it('refuses a DOCTYPE with its custom entities, expanding none', async () => {
    const bomb = ufdrReportXml(REPORT)
      .replace(
        '<project',
        '<!DOCTYPE project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<project',
      )
      .replace('ok', '&b;&b;&b;');
    await expect(parse(writeUfdrXml(tempDir(), bomb))).rejects.toThrow(/refuses DTDs/);
  });

  it('leaves an undefined entity as written and reports it, without losing the message', async () => {
    const xml = ufdrReportXml(REPORT).replace('<![CDATA[ok]]>', 'ok &evil; &amp; &#x1F600;');
    const records = await parse(writeUfdrXml(tempDir(), xml));
    expect(of(records, 'message')[1]!.body).toBe('ok &evil; & 😀');
    const problems = of(records, 'problem');
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/undefined entity/)]);
    expect(of(records, 'message')).toHaveLength(4);
  });

  it('flags invalid UTF-8 in a body and reads on', async () => {
    const xml = Buffer.from(ufdrReportXml(REPORT));
    const at = xml.indexOf('see this');
    xml[at + 3] = 0xff;
    const path = join(tempDir(), 'report.xml');
    writeFileSync(path, xml);
    const exact = await parse(path);
    const m = of(exact, 'message')[2]!;
    expect(m.body).toBe('see\uFFFDthis');
    expect(m.flags).toContain('invalid-utf8');
    expect(of(exact, 'message')).toHaveLength(4);
  });

  it('cuts an enormous body to one character past the cap, for the worker to flag', async () => {
    const huge = 'x'.repeat((1 << 20) + 5000);
    const report: UfdrReport = {
      chats: [
        {
          participants: [DEALER],
          messages: [
            { from: DEALER, body: huge },
            { from: DEALER, body: 'after' },
          ],
        },
      ],
    };
    const records = await parse(writeUfdrXml(tempDir(), report));
    expect(of(records, 'message').map((m) => m.body!.length)).toEqual([(1 << 20) + 1, 5]);
  });

  it('refuses an encrypted report.xml in words', async () => {
    const path = writeUfdrZip(tempDir(), REPORT);
    writeFileSync(path, markEncrypted(readFileSync(path), 'report.xml'));
    expect(ufdr.matches(evidence(path))).toBe(true);
    await expect(parse(path)).rejects.toThrow(/report.xml in the UFDR archive is encrypted/);
  });

  it('refuses a report.xml that claims to unpack past the cap or far past any real ratio', async () => {
    const path = writeUfdrZip(tempDir(), REPORT);
    writeFileSync(path, claimUncompressedSize(readFileSync(path), 'report.xml', 0xfffffff0));
    await expect(parse(path)).rejects.toThrow(/times its packed size: refused as a zip bomb/);
  });

  it('refuses a real zip bomb: a report.xml padded with 64 MiB of blanks', async () => {
    const xml = ufdrReportXml(REPORT).replace(
      '<decodedData>',
      `<decodedData>${' '.repeat(64 << 20)}`,
    );
    const path = writeUfdrZip(tempDir(), xml, { level: 9 });
    expect(statSync(path).size).toBeLessThan(128 * 1024);
    await expect(parse(path)).rejects.toThrow(/zip bomb/);
  });

  it('refuses an archive listing more entries than the cap', async () => {
    const path = writeUfdrZip(tempDir(), REPORT, { files: { a: '1', b: '2', c: '3' } });
    await expect(openUfdrArchive(path, { maxEntries: 3 })).rejects.toThrow(
      /lists 4 entries, over the 3/,
    );
  });

  it('passes over entries whose own names climb out of the archive, and says how many', async () => {
    const dir = tempDir();
    const path = writeUfdrZip(dir, REPORT, { files: { '../../evil.sh': 'x', '/abs': 'y' } });
    const records = await parse(path);
    expect(of(records, 'problem').map((p) => p.message)).toEqual([
      expect.stringMatching(/^2 archive entries have names that leave the archive/),
    ]);
    expect(of(records, 'message')).toHaveLength(4);
    expect(existsSync(join(dir, '..', 'evil.sh'))).toBe(false);
  });

  it('reports progress in bytes of report.xml, ending at its whole', async () => {
    for (const path of [writeUfdrZip(tempDir(), REPORT), writeUfdrXml(tempDir(), REPORT)]) {
      const seen: [number, number][] = [];
      const parsed = ufdr.parse({
        file: evidence(path),
        region: 'GB',
        workDir: dirname(path),
        signal: new AbortController().signal,
        progress: (done, total) => seen.push([done, total]),
      });
      for await (const r of parsed) expect(r.type).toBeTruthy();
      const total = Buffer.byteLength(ufdrReportXml(REPORT));
      expect(seen.at(-1)).toEqual([total, total]);
      expect(seen.every(([done], i) => i === 0 || done >= seen[i - 1]![0])).toBe(true);
    }
  });

  it('reads sparse models: a message with no sender, time or body, a chat with no messages, a call with no parties', async () => {
    const extra = [
      '<modelType type="Chat"><model type="Chat" id="empty"><multiModelField name="Participants" /></model></modelType>',
      '<modelType type="Call"><model type="Call" id="c0" deleted_state="Intact" /></modelType>',
    ].join('');
    const report: UfdrReport = { chats: [{ participants: [], messages: [{}] }], extra };
    const records = await parse(writeUfdrXml(tempDir(), report));
    expect(of(records, 'message').map((m) => [m.direction, m.senderKey, m.sentAt, m.body])).toEqual(
      [['unknown', null, null, null]],
    );
    expect(of(records, 'thread').map((t) => t.source.xmlPath)).toEqual([
      expect.stringMatching(
        /^\/project\/decodedData\/modelType\[@type='Chat'\]\/model\[@id='[^']+'\]$/,
      ),
      "/project/decodedData/modelType[@type='Chat']/model[@id='empty']",
    ]);
    expect(of(records, 'call')).toMatchObject([
      { participantKey: null, direction: 'unknown', startedAt: null, durationSeconds: null },
    ]);
    expect(of(records, 'problem')).toEqual([]);
  });

  it('cuts a message of more than 50,000 elements short, flags it, and reads the next', async () => {
    const xml = ufdrReportXml({
      chats: [
        {
          participants: [DEALER],
          messages: [
            { from: DEALER, body: 'huge' },
            { from: DEALER, body: 'next' },
          ],
        },
      ],
    }).replace(
      '<![CDATA[huge]]></value></field>',
      `<![CDATA[huge]]></value></field>${'<field name="Junk"><empty /></field>'.repeat(30_000)}`,
    );
    const records = await parse(writeUfdrXml(tempDir(), xml));
    expect(of(records, 'message').map((m) => [m.body, m.flags])).toEqual([
      ['huge', ['model-too-large']],
      ['next', []],
    ]);
  });

  it.runIf(existsSync(join(CORPUS, 'mobile/cellebrite_ufdr/iped_ufed-model-chat.xml')))(
    'reads the corpus chat (IPED fixture): 11 messages of its own beside 3 quoted copies, 14 InstantMessage in all',
    async () => {
      const fragment = readFileSync(
        join(CORPUS, 'mobile/cellebrite_ufdr/iped_ufed-model-chat.xml'),
        'utf8',
      );
      expect(fragment.match(/<model type="InstantMessage"/g)).toHaveLength(14);
      const records = await parse(
        writeUfdrXml(
          tempDir(),
          ufdrReportXml({ extra: `<modelType type="Chat">${fragment}</modelType>` }),
        ),
      );
      expect(of(records, 'problem')).toEqual([]);
      const [thread] = of(records, 'thread') as ThreadRecord[];
      expect(thread).toMatchObject({
        service: 'whatsapp',
        participantKeys: ['p:+5511999996666', 'p:+5511999998888'],
      });
      const messages = of(records, 'message') as MessageRecord[];
      expect(messages).toHaveLength(11);
      // Clefable (WhatsApp) and Pikachu (Telegram) are marked IsPhoneOwner: their three are outgoing.
      expect(messages.filter((m) => m.direction === 'outgoing')).toHaveLength(3);
      expect(messages.map((m) => m.body).filter(Boolean)).toEqual([
        'Certo amigo veja ae',
        'Vendo',
        'You joined the group via invite link',
        'Obrigado',
      ]);
      expect(messages[0]).toMatchObject({
        senderKey: 'p:+5511999997777',
        sentAt: { utc: '2024-11-03T19:46:47.000Z', offsetMinutes: 0 },
        attachments: [
          { name: 'PTT-20241103-WA0101.opus', mime: 'audio/ogg; codecs=opus', path: null },
        ],
      });
      // Its second message holds its photo in two embedded InstantMessages sharing one id.
      expect(messages[1]!.attachments.map((a) => a.name)).toEqual([
        'IMG-20241103-WA0103.jpg',
        'IMG-20241103-WA0103.jpg',
      ]);
      expect(messages[1]!.flags).toEqual(['embedded-message']);
      expect(messages.filter((m) => m.attachments.length > 0)).toHaveLength(6);
      // One Telegram reply carries a copy of the message it answers.
      expect(messages.filter((m) => m.quote).map((m) => m.quote)).toEqual([
        {
          key: null,
          text: expect.stringMatching(/^Lorem ipsum dolor sit amet, .* commodo consequat\.$/),
        },
      ]);
      const names = (of(records, 'participant') as ParticipantRecord[]).map((p) => [
        p.identifier,
        p.name,
      ]);
      expect(names).toEqual([
        ['+5511999996666', 'Blastoise'],
        ['+5511999998888', 'Clefable'],
        ['+5511999997777', 'Bulbasaur'],
        ['+551199999999', 'Metapod'],
        ['System message', 'System message'],
        // A Telegram account number, not a phone number.
        ['5600023546', 'Pikachu'],
      ]);
      expect(of(records, 'call') as CallRecord[]).toEqual([]);
      expect(of(records, 'contact') as ContactRecord[]).toEqual([]);
      expect(of(records, 'problem') as ProblemRecord[]).toEqual([]);
    },
  );

  it('names the namespace it looks for', () => {
    expect(CELLEBRITE_NS).toBe('http://pa.cellebrite.com/report/2.0');
  });
});
