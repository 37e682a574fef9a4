import { tmpdir } from 'node:os';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { EvidenceFile } from '../../../../workers/ingest/formats.js';
import { FORMATS } from '../../../../workers/ingest/formats/index.js';
import { smsBackupRestore } from '../../../../workers/ingest/formats/smsBackupRestore.js';
import type { IngestRecord } from '../../../../workers/ingest/records.js';
import { CORPUS } from '../../../helpers/models.js';
import { callsBackupXml, smsBackupXml } from '../../../helpers/smsBackupXml.js';
import { useTempDirs } from '../../../helpers/temp.js';
import { writeUfdrXml } from '../../../helpers/ufdrReport.js';

const AT = Date.parse('2024-03-09T21:00:00Z');

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
  const out: IngestRecord[] = [];
  const parsed = smsBackupRestore.parse({
    file: evidence(path),
    region: 'GB',
    workDir: tmpdir(),
    signal: new AbortController().signal,
    progress: () => {},
  });
  for await (const r of parsed) out.push(r);
  return out;
}

const of = <T extends IngestRecord['type']>(records: IngestRecord[], type: T) =>
  records.filter((r) => r.type === type) as Extract<IngestRecord, { type: T }>[];

describe('smsBackupRestore', () => {
  const tempDir = useTempDirs();

  it('reads SMS into threads by the other person, the app\'s "null" and "(Unknown)" as nothing', async () => {
    const path = smsBackupXml(tempDir(), {
      sms: [
        {
          address: '07700 900123',
          date: AT,
          type: 1,
          body: 'meet at\nthe station',
          contactName: 'Stef',
        },
        { address: '+447700900123', date: AT + 60_000, type: 2, body: 'on my way 👍' },
        { address: '07700900456', date: AT + 120_000, type: 3, body: 'unsent' },
      ],
    });

    const records = await parse(path);

    expect(records.slice(0, 3)).toEqual([
      {
        type: 'participant',
        key: 'p:+447700900123',
        identifier: '+447700900123',
        raw: '07700 900123',
        name: 'Stef',
        kind: 'phone',
        source: { file: 'sms-20240310090000.xml', xmlPath: '/smses/sms[1]' },
      },
      {
        type: 'thread',
        key: 't:p:+447700900123',
        service: 'sms',
        title: null,
        isGroup: false,
        participantKeys: ['p:+447700900123'],
        source: { file: 'sms-20240310090000.xml', xmlPath: '/smses/sms[1]' },
      },
      {
        type: 'message',
        key: 'sms:1',
        threadKey: 't:p:+447700900123',
        senderKey: 'p:+447700900123',
        direction: 'incoming',
        sentAt: { utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null },
        body: 'meet at\nthe station',
        deleted: false,
        attachments: [],
        flags: [],
        source: { file: 'sms-20240310090000.xml', xmlPath: '/smses/sms[1]' },
      },
    ]);
    expect(
      of(records, 'message').map((m) => [m.key, m.threadKey, m.direction, m.body, m.flags]),
    ).toEqual([
      ['sms:1', 't:p:+447700900123', 'incoming', 'meet at\nthe station', []],
      ['sms:2', 't:p:+447700900123', 'outgoing', 'on my way 👍', []],
      ['sms:3', 't:p:+447700900456', 'outgoing', 'unsent', ['draft']],
    ]);
    expect(of(records, 'participant').map((p) => p.name)).toEqual(['Stef', null]);
    expect(await parse(path)).toEqual(records);
  });

  it('flags a date that is no number rather than dropping it without a word', async () => {
    const path = smsBackupXml(tempDir(), {
      sms: [{ address: '07700900123', date: AT, type: 1, body: 'when?' }],
    });
    writeFileSync(path, readFileSync(path, 'utf8').replace(`date="${AT}"`, 'date="notanumber"'));
    const [message] = of(await parse(path), 'message');
    expect(message).toMatchObject({ sentAt: null, flags: ['time-unreadable'] });
  });

  it('joins emoji the app wrote as two character references, and says so', async () => {
    const path = smsBackupXml(tempDir(), {
      sms: [{ address: '07700900123', date: AT, type: 1, body: 'ok 😅 see you' }],
      charRefEmoji: true,
    });
    expect(readFileSync(path, 'utf8')).toContain('ok &#55357;&#56837; see you');

    const [message] = of(await parse(path), 'message');

    expect(message).toMatchObject({ body: 'ok 😅 see you', flags: ['char-refs-joined'] });
  });

  it('reads MMS: text, an attachment measured, the sender of one received, a group by its people', async () => {
    const path = smsBackupXml(tempDir(), {
      sms: [],
      mms: [
        {
          address: '07700900123',
          date: AT,
          box: 1,
          text: 'look',
          from: '07700900123',
          to: ['07700900001'],
          image: { name: 'IMG_0001.jpg', bytes: Buffer.alloc(1234, 7) },
        },
        {
          address: '07700900123~07700900456',
          date: AT + 60_000,
          box: 2,
          text: 'all of you',
          from: 'insert-address-token',
          to: ['07700900123', '07700900456'],
        },
      ],
    });

    const records = await parse(path);

    const [received, sent] = of(records, 'message');
    expect(received).toEqual({
      type: 'message',
      key: 'mms:1',
      threadKey: 't:p:+447700900123',
      senderKey: 'p:+447700900123',
      direction: 'incoming',
      sentAt: { utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null },
      body: 'look',
      deleted: false,
      attachments: [{ name: 'IMG_0001.jpg', mime: 'image/jpeg', size: 1234, path: null }],
      flags: [],
      source: { file: 'sms-20240310090000.xml', xmlPath: '/smses/mms[1]' },
    });
    expect(sent).toMatchObject({ direction: 'outgoing', senderKey: null, body: 'all of you' });
    expect(of(records, 'thread').find((t) => t.key === sent!.threadKey)).toMatchObject({
      isGroup: true,
      participantKeys: ['p:+447700900123', 'p:+447700900456'],
    });
  });

  it('reads calls as Android logs them, a withheld or unknown number naming nobody', async () => {
    const path = callsBackupXml(tempDir(), [
      { number: '07700900123', duration: 59, date: AT, type: 1, contactName: 'Stef' },
      { number: '-1', duration: 382, date: AT + 1000, type: 1 },
      { number: '', duration: 0, date: AT + 2000, type: 3, presentation: 2 },
      { number: '07700900123', duration: 0, date: AT + 3000, type: 6 },
    ]);

    const records = await parse(path);

    expect(of(records, 'participant')).toEqual([
      expect.objectContaining({ key: 'p:+447700900123', name: 'Stef' }),
    ]);
    expect(of(records, 'call')).toEqual([
      {
        type: 'call',
        key: 'call:1',
        participantKey: 'p:+447700900123',
        direction: 'incoming',
        startedAt: { utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null },
        durationSeconds: 59,
        deleted: false,
        flags: [],
        source: { file: 'calls-20240310090000.xml', xmlPath: '/calls/call[1]' },
      },
      expect.objectContaining({
        participantKey: null,
        durationSeconds: 382,
        flags: ['number-unknown'],
      }),
      expect.objectContaining({
        participantKey: null,
        direction: 'missed',
        flags: ['number-withheld'],
      }),
      expect.objectContaining({ direction: 'rejected', flags: ['blocked'] }),
    ]);
  });

  it('is told from other XML and text by its root and first element', () => {
    const dir = tempDir();
    const sms = smsBackupXml(dir, { sms: [] });
    const calls = callsBackupXml(dir, []);
    for (const path of [sms, calls]) {
      expect(FORMATS.filter((f) => f.kind === 'file' && f.matches(evidence(path)))).toEqual([
        smsBackupRestore,
      ]);
    }
    const other = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return evidence(join(dir, name));
    };
    expect(
      smsBackupRestore.matches(other('a.xml', '<?xml version="1.0"?>\n<calls><meeting/></calls>')),
    ).toBe(false);
    expect(smsBackupRestore.matches(other('b.xml', '<smses><call number="1"/></smses>'))).toBe(
      false,
    );
    expect(
      smsBackupRestore.matches(
        evidence(
          writeUfdrXml(
            dir,
            '<?xml version="1.0"?>\n<project xmlns="http://pa.cellebrite.com/report/2.0"><calls/></project>',
          ),
        ),
      ),
    ).toBe(false);
  });

  it('refuses a DOCTYPE, so no entity is ever expanded', async () => {
    const path = join(tempDir(), 'bomb.xml');
    writeFileSync(
      path,
      `<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY a "aaaaaaaaaa">]>\n<smses count="1">\n<sms address="1" body="&a;" />\n</smses>\n`,
    );
    expect(smsBackupRestore.matches(evidence(path))).toBe(true);
    await expect(parse(path)).rejects.toThrow(/refuses DTDs/);
  });

  it('keeps every message before the place a backup was cut off, and says where it stops', async () => {
    const whole = readFileSync(
      smsBackupXml(tempDir(), {
        sms: [
          { address: '07700900123', date: AT, type: 1, body: 'first' },
          { address: '07700900123', date: AT, type: 1, body: 'second' },
        ],
      }),
      'utf8',
    );
    const path = join(tempDir(), 'cut.xml');
    writeFileSync(path, whole.slice(0, whole.indexOf('second') - 20));

    const records = await parse(path);

    expect(of(records, 'message').map((m) => m.body)).toEqual(['first']);
    expect(of(records, 'problem').at(-1)!.message).toMatch(
      /truncated\): everything read before it is kept/,
    );
  });

  const mobile = join(CORPUS, 'mobile');
  it.skipIf(!existsSync(mobile))(
    'claims, of every file in the corpus, only the two backups',
    () => {
      const files = readdirSync(mobile, { recursive: true, encoding: 'utf8' })
        .filter((f) => statSync(join(mobile, f)).isFile())
        .sort();
      expect(files.length).toBeGreaterThan(50);
      const claimed = files.filter((f) => smsBackupRestore.matches(evidence(join(mobile, f))));
      expect(claimed).toEqual([
        'android/sms_backup_restore_xml/memacs_calls-backup-restore.xml',
        'android/sms_backup_restore_xml/memacs_sms-backup-restore.xml',
      ]);
      for (const f of claimed) {
        const file = evidence(join(mobile, f));
        expect(FORMATS.filter((x) => x.kind === 'file' && x.matches(file))).toEqual([
          smsBackupRestore,
        ]);
      }
    },
  );
});
