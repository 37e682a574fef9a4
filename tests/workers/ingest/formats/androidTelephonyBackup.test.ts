import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import type { EvidenceFile } from '../../../../workers/ingest/formats.js';
import { androidTelephonyBackup } from '../../../../workers/ingest/formats/androidTelephonyBackup.js';
import type { IngestRecord } from '../../../../workers/ingest/records.js';
import { telephonyBackupFile } from '../../../helpers/telephonyBackup.js';
import { useTempDirs } from '../../../helpers/temp.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');

function evidence(path: string): EvidenceFile {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return { path, name: basename(path), size: statSync(path).size, head: head.subarray(0, n) };
}

async function parse(path: string): Promise<IngestRecord[]> {
  const file = evidence(path);
  expect(androidTelephonyBackup.matches(file)).toBe(true);
  const ctx = {
    file,
    region: 'GB',
    workDir: dirname(path),
    signal: new AbortController().signal,
    progress: () => {},
  };
  const out: IngestRecord[] = [];
  for await (const r of androidTelephonyBackup.parse(ctx)) out.push(r);
  return out;
}

describe('androidTelephonyBackup', () => {
  const tempDir = useTempDirs();

  it('reads SMS each way, drafts flagged, into threads by their recipients', async () => {
    const path = telephonyBackupFile(tempDir(), [
      {
        address: '07700 900123',
        body: 'vin mâine',
        date: T0,
        type: 1,
        recipients: ['07700 900123'],
      },
      {
        address: '07700 900123',
        body: 'câte?',
        date: T0 + 1000,
        type: 2,
        recipients: ['07700 900123'],
      },
      {
        address: '07700 900456',
        body: 'not sent',
        date: T0 + 2000,
        type: 3,
        recipients: ['07700 900456'],
      },
    ]);
    const records = await parse(path);
    const messages = records.filter((r) => r.type === 'message');
    expect(
      messages.map((m) => [m.key, m.threadKey, m.senderKey, m.direction, m.body, m.flags]),
    ).toEqual([
      ['sms:0', 'thread:p:+447700900123', 'p:+447700900123', 'incoming', 'vin mâine', []],
      ['sms:1', 'thread:p:+447700900123', null, 'outgoing', 'câte?', []],
      ['sms:2', 'thread:p:+447700900456', null, 'outgoing', 'not sent', ['draft']],
    ]);
    expect(messages[0]).toMatchObject({
      sentAt: { utc: '2024-03-09T21:00:00.000Z', offsetMinutes: null },
      source: { file: '000000_sms_backup', rowId: 0 },
    });
    expect(records.filter((r) => r.type === 'thread').map((t) => t.key)).toEqual([
      'thread:p:+447700900123',
      'thread:p:+447700900456',
    ]);
  });

  it('reads MMS with their sender, a group when more than one recipient, dates in seconds', async () => {
    const path = telephonyBackupFile(
      tempDir(),
      [
        {
          date: Math.floor(T0 / 1000),
          msgBox: 1,
          from: '07700 900123',
          to: ['07700 900999', '07700 900456'],
          body: 'see you there',
          recipients: ['07700 900123', '07700 900456'],
        },
      ],
      '000001_mms_backup',
    );
    const records = await parse(path);
    expect(records.find((r) => r.type === 'thread')).toMatchObject({
      service: 'mms',
      isGroup: true,
      participantKeys: ['p:+447700900123', 'p:+447700900456'],
    });
    expect(records.find((r) => r.type === 'message')).toMatchObject({
      key: 'mms:0',
      senderKey: 'p:+447700900123',
      direction: 'incoming',
      body: 'see you there',
      sentAt: { utc: '2024-03-09T21:00:00.000Z' },
    });
  });

  it('is told by content: other deflated data is not taken for it', () => {
    const dir = tempDir();
    const notes = join(dir, 'notes.z');
    writeFileSync(notes, deflateSync(Buffer.from('[{"title": "shopping"}]')));
    const text = join(dir, 'text.z');
    writeFileSync(text, deflateSync(Buffer.from('just some text')));
    expect([notes, text].map((p) => androidTelephonyBackup.matches(evidence(p)))).toEqual([
      false,
      false,
    ]);
  });

  it('refuses a file that inflates to no list', async () => {
    const path = join(tempDir(), '000000_sms_backup');
    writeFileSync(path, deflateSync(Buffer.from('[{"address": "1", "body": "x"')));
    const ctx = {
      file: evidence(path),
      region: 'GB',
      workDir: dirname(path),
      signal: new AbortController().signal,
      progress: () => {},
    };
    await expect(async () => {
      for await (const r of androidTelephonyBackup.parse(ctx)) expect(r).toBeTruthy();
    }).rejects.toThrow(/^the telephony backup cannot be read: /);
  });
});
