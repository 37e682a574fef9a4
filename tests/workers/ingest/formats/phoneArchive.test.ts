import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import type { EvidenceFile } from '../../../../workers/ingest/formats.js';
import { FORMATS } from '../../../../workers/ingest/formats/index.js';
import type { IngestRecord } from '../../../../workers/ingest/records.js';
import { androidSmsDb } from '../../../helpers/androidSmsDb.js';
import { writeAdbBackup, writeFsTar, writeFsZip } from '../../../helpers/fsArchive.js';
import { telephonyBackupFile } from '../../../helpers/telephonyBackup.js';
import { useTempDirs } from '../../../helpers/temp.js';
import { writeUfdrZip } from '../../../helpers/ufdrReport.js';
import { chatText, writeChatZip } from '../../../helpers/whatsappExport.js';

function evidence(path: string): EvidenceFile {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return { path, name: basename(path), size: statSync(path).size, head: head.subarray(0, n) };
}

const pick = (path: string) =>
  FORMATS.find((f) => f.kind === 'file' && f.matches(evidence(path)))?.id;

describe('phone archive formats', () => {
  const tempDir = useTempDirs();

  it('are chosen by content, after the formats that claim particular zips', () => {
    const dir = tempDir();
    const db = androidSmsDb(dir, { threads: [], sms: [] });
    const tree = { 'data/data/com.android.providers.telephony/databases/mmssms.db': db };
    const gz = join(dir, 'notes.gz');
    writeFileSync(gz, gzipSync(Buffer.from('not a tar at all\n'.repeat(100))));
    const chat = chatText('ios-mdy', [
      { at: '2024-03-09T21:00:00Z', from: 'Ana', text: 'la gară' },
      { at: '2024-03-09T21:01:00Z', from: 'Dan', text: 'ok' },
    ]);
    expect(
      [
        writeFsZip(dir, tree, 'a.dat'),
        writeFsTar(dir, tree, { name: 'b.dat' }),
        writeFsTar(dir, tree, { name: 'c.dat', gzip: true }),
        writeAdbBackup(dir, tree, { name: 'd.dat' }),
        writeUfdrZip(
          dir,
          '<?xml version="1.0"?><project xmlns="http://pa.cellebrite.com/report/2.0"/>',
          {
            name: 'e.zip',
          },
        ),
        writeChatZip(dir, chat),
        telephonyBackupFile(dir, [
          { address: '07700 900123', body: 'hi', date: 1, type: 1, recipients: ['07700 900123'] },
        ]),
        gz,
      ].map(pick),
    ).toEqual([
      'archive.fs',
      'archive.fs',
      'archive.fs',
      'android.adb-backup',
      'cellebrite.ufdr',
      'whatsapp.export-text',
      'android.telephony-backup',
      undefined,
    ]);
  });

  it('give the same records in the same order on every run', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'work'));
    const db = androidSmsDb(dir, {
      threads: [{ id: 1, addresses: ['07700 900123'] }],
      sms: [{ thread: 1, address: '07700 900123', date: 1, type: 1, body: 'hello' }],
    });
    const path = writeFsTar(dir, { 'x/mmssms.db': db, 'y/copy.db': db }, { gzip: true });
    const run = async () => {
      const format = FORMATS.find((f) => f.kind === 'file' && f.matches(evidence(path)))!;
      if (format.kind !== 'file') throw new Error('not a file format');
      const out: IngestRecord[] = [];
      const ctx = {
        file: evidence(path),
        region: 'GB',
        workDir: join(dir, 'work'),
        signal: new AbortController().signal,
        progress: () => {},
      };
      for await (const r of format.parse(ctx)) out.push(r);
      return out;
    };
    const first = await run();
    expect(first.map((r) => r.key)).toEqual([
      'x/mmssms.db#p:+447700900123',
      'x/mmssms.db#thread:1',
      'x/mmssms.db#sms:1',
      'x/mmssms.db#read',
      'y/copy.db#p:+447700900123',
      'y/copy.db#thread:1',
      'y/copy.db#sms:1',
      'y/copy.db#read',
      'extraction.tgz#summary',
    ]);
    expect(first.find((r) => r.key === 'y/copy.db#sms:1')).toMatchObject({
      threadKey: 'y/copy.db#thread:1',
      senderKey: 'y/copy.db#p:+447700900123',
      source: { file: 'y/copy.db', table: 'sms', rowId: 1 },
    });
    expect(await run()).toEqual(first);
  });
});
