import { tmpdir } from 'node:os';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { EvidenceFile, ParseContext } from '../../../../workers/ingest/formats.js';
import { FORMATS } from '../../../../workers/ingest/formats/index.js';
import { tabularExport } from '../../../../workers/ingest/formats/tabularExport.js';
import { BUILTIN_MAPPINGS } from '../../../../workers/ingest/mappings/builtinMappings.js';
import type {
  CallRecord,
  ContactRecord,
  IngestRecord,
  MessageRecord,
  ThreadRecord,
} from '../../../../workers/ingest/records.js';
import { parseMapping } from '../../../../workers/ingest/tabular/exportMapping.js';
import {
  CUSTOM_HEADER,
  customMapping,
  GENERIC_HEADER,
  writeCsvExport,
  writeJsonExport,
  type FixtureEncoding,
} from '../../../helpers/tabularExport.js';
import { useTempDirs } from '../../../helpers/temp.js';

function evidence(path: string, name = 'export.csv'): EvidenceFile {
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  return { path, name, size: statSync(path).size, head: head.subarray(0, n) };
}

async function parse(mapping: unknown, file: EvidenceFile): Promise<IngestRecord[]> {
  const ctx: ParseContext = {
    file,
    region: 'GB',
    workDir: tmpdir(),
    signal: new AbortController().signal,
    progress: () => {},
  };
  const out: IngestRecord[] = [];
  for await (const r of tabularExport(parseMapping(JSON.stringify(mapping))).parse(ctx)) {
    out.push(r);
  }
  return out;
}

const ofType = <T extends IngestRecord>(records: IngestRecord[], type: T['type']) =>
  records.filter((r): r is T => r.type === type);

describe('tabularExport', () => {
  const tempDir = useTempDirs();

  it.each<[string, string, string[], FixtureEncoding, string]>([
    ['generic-messages', ',', GENERIC_HEADER, 'utf-8', 'export.generic-messages'],
    [
      'xry-messages',
      '\t',
      BUILTIN_MAPPINGS.get('xry-messages')!.mapping.header!,
      'utf-16le-bom',
      'export.xry-messages',
    ],
    [
      'oxygen-messages',
      ',',
      BUILTIN_MAPPINGS.get('oxygen-messages')!.mapping.header!,
      'utf-8-bom',
      'export.oxygen-messages',
    ],
  ])(
    'tells the %s layout from its header row, whatever the file is called',
    (_, delimiter, header, encoding, id) => {
      const path = writeCsvExport(tempDir(), 'no-name', header, [header.map(() => 'x')], {
        delimiter,
        encoding,
      });
      expect(
        FORMATS.filter((f) => f.kind === 'file' && f.matches(evidence(path))).map((f) => f.id),
      ).toEqual([id]);
    },
  );

  it('claims no CSV whose header differs from a built-in one by a column or its case', () => {
    const headers = [
      [...GENERIC_HEADER, 'extra'],
      GENERIC_HEADER.slice(1),
      GENERIC_HEADER.map((h) => h.toUpperCase()),
    ];
    for (const header of headers) {
      const file = evidence(writeCsvExport(tempDir(), 'e.csv', header, []));
      expect(FORMATS.some((f) => f.kind === 'file' && f.matches(file))).toBe(false);
    }
  });

  it('threads rows by who took part when the export names no thread', async () => {
    const fields: Record<string, unknown> = { ...customMapping().fields, recipients: 'To' };
    delete fields.thread;
    const path = writeCsvExport(
      tempDir(),
      'export.csv',
      [...CUSTOM_HEADER, 'To'],
      [
        [
          '',
          '07700 900123',
          'Ana',
          'In',
          '19/07/2024 21:00:00',
          'to me',
          'SMS',
          'No',
          '',
          '07700 900999',
        ],
        [
          '',
          '07700 900999',
          '',
          'Out',
          '19/07/2024 21:01:00',
          'to Ana',
          'SMS',
          'No',
          '',
          '+447700900123',
        ],
        [
          '',
          '07700 900555',
          'Bo',
          'In',
          '19/07/2024 21:02:00',
          'to me too',
          'SMS',
          'No',
          '',
          '07700 900999',
        ],
      ],
    );
    const records = await parse(customMapping({ fields }), evidence(path));

    const pair = 'pair:p:+447700900123|p:+447700900999';
    expect(
      ofType<MessageRecord>(records, 'message').map((m) => [m.key, m.threadKey, m.senderKey]),
    ).toEqual([
      ['row:L2', pair, 'p:+447700900123'],
      ['row:L3', pair, 'p:+447700900999'],
      ['row:L4', 'pair:p:+447700900555|p:+447700900999', 'p:+447700900555'],
    ]);
    expect(ofType<ThreadRecord>(records, 'thread').map((t) => t.key)).toEqual([
      pair,
      'pair:p:+447700900555|p:+447700900999',
    ]);
  });

  it('lists a thread again when it gains people, so each is linked to it', async () => {
    const path = writeCsvExport(tempDir(), 'export.csv', CUSTOM_HEADER, [
      ['g', '07700 900123', 'Ana', 'In', '19/07/2024 21:00:00', 'a', 'WhatsApp', 'No', ''],
      ['g', '07700 900123', 'Ana', 'In', '19/07/2024 21:01:00', 'b', 'WhatsApp', 'No', ''],
      ['g', '07700 900555', 'Bo', 'In', '19/07/2024 21:02:00', 'c', 'WhatsApp', 'No', ''],
    ]);
    const records = await parse(customMapping(), evidence(path));
    expect(ofType<ThreadRecord>(records, 'thread').map((t) => t.participantKeys)).toEqual([
      ['p:+447700900123'],
      ['p:+447700900123', 'p:+447700900555'],
    ]);
    expect(records.map((r) => r.type)).toEqual([
      'participant',
      'thread',
      'message',
      'message',
      'participant',
      'thread',
      'message',
    ]);
  });

  it('reads a value named like an object property as an unmapped value', async () => {
    const path = writeCsvExport(tempDir(), 'export.csv', CUSTOM_HEADER, [
      [
        't',
        '07700 900123',
        '',
        'constructor',
        '19/07/2024 21:00:00',
        'x',
        'constructor',
        'toString',
        '',
      ],
    ]);
    const records = await parse(customMapping(), evidence(path));
    expect(ofType<ThreadRecord>(records, 'thread')[0]!.service).toBe('other');
    expect(ofType<MessageRecord>(records, 'message')[0]).toMatchObject({
      direction: 'unknown',
      deleted: false,
      flags: ['direction-unmapped', 'deleted-unmapped'],
    });
  });

  it('reads a JSON export: records under a pointer, nested fields, lists, a stray value', async () => {
    const path = writeJsonExport(tempDir(), 'export.json', {
      device: { owner: 'x' },
      data: {
        messages: [
          {
            chat: 'c1',
            from: { number: '07700 900123', name: 'Ana' },
            to: ['07700 900999'],
            ts: 1710882005,
            text: 'hi',
            deleted: false,
          },
          'not a record',
          {
            chat: 'c1',
            from: { number: '07700 900999' },
            ts: 1720000000,
            text: null,
            deleted: true,
            files: ['a.jpg', 'b.mp4'],
          },
        ],
      },
    });
    const records = await parse(
      {
        mapping: 1,
        name: 'json-test',
        record: 'message',
        file: { type: 'json', records: '/data/messages' },
        fields: {
          thread: 'chat',
          sender: '/from/number',
          senderName: '/from/name',
          recipients: 'to',
          time: { column: 'ts', format: 'unix-s', zone: 'Europe/London' },
          body: 'text',
          deleted: { column: 'deleted', values: { true: true, false: false } },
          attachmentName: 'files',
        },
      },
      evidence(path, 'export.json'),
    );

    const columns = ['chat', '/from/number', '/from/name', 'to', 'ts', 'text', 'deleted', 'files'];
    expect(ofType<MessageRecord>(records, 'message')).toEqual([
      expect.objectContaining({
        key: 'row:J0',
        senderKey: 'p:+447700900123',
        sentAt: { utc: '2024-03-19T21:00:05.000Z', offsetMinutes: 0 },
        body: 'hi',
        deleted: false,
        source: { file: 'export.json', jsonPath: '/data/messages/0', columns },
      }),
      expect.objectContaining({
        key: 'row:J2',
        sentAt: { utc: '2024-07-03T09:46:40.000Z', offsetMinutes: 60 },
        body: null,
        deleted: true,
        attachments: [
          { name: 'a.jpg', mime: null, size: null, path: null },
          { name: 'b.mp4', mime: null, size: null, path: null },
        ],
      }),
    ]);
    expect(ofType(records, 'problem')).toEqual([
      {
        type: 'problem',
        key: 'problem:J1',
        message: 'the record is not a JSON object; it is skipped',
        source: { file: 'export.json', jsonPath: '/data/messages/1' },
      },
    ]);
  });

  it('reads calls with their durations and contacts with several addresses', async () => {
    const calls = writeCsvExport(
      tempDir(),
      'calls.csv',
      ['Number', 'Type', 'Start', 'Length'],
      [
        ['07700 900123', 'Missed', '2024-03-19 21:00:00', '0:00'],
        ['07700 900123', 'Dialled', '2024-03-19 21:05:00', '1:02:03'],
        ['', 'Rejected', '', ''],
      ],
      { delimiter: ';' },
    );
    const callRecords = await parse(
      {
        mapping: 1,
        name: 'calls-test',
        record: 'call',
        file: { type: 'csv', delimiter: ';' },
        fields: {
          party: 'Number',
          direction: {
            column: 'Type',
            values: { Missed: 'missed', Dialled: 'outgoing', Rejected: 'rejected' },
          },
          time: { column: 'Start', format: 'yyyy-MM-dd HH:mm:ss', offset: 'Z' },
          duration: { column: 'Length', format: 'hh:mm:ss' },
        },
      },
      evidence(calls),
    );
    expect(
      ofType<CallRecord>(callRecords, 'call').map((c) => [
        c.participantKey,
        c.direction,
        c.startedAt?.utc ?? null,
        c.durationSeconds,
      ]),
    ).toEqual([
      ['p:+447700900123', 'missed', '2024-03-19T21:00:00.000Z', 0],
      ['p:+447700900123', 'outgoing', '2024-03-19T21:05:00.000Z', 3723],
      [null, 'rejected', null, null],
    ]);

    const people = writeCsvExport(
      tempDir(),
      'contacts.csv',
      ['Name', 'Mobile', 'Email'],
      [
        ['Ana Pop', '07700 900123', 'Ana@Example.org'],
        ['Bo', '07700 900555; 07700 900555', ''],
      ],
    );
    const contactRecords = await parse(
      {
        mapping: 1,
        name: 'contacts-test',
        record: 'contact',
        file: { type: 'csv' },
        fields: { name: 'Name', addresses: { columns: ['Mobile', 'Email'], separator: ';' } },
      },
      evidence(people),
    );
    expect(
      ofType<ContactRecord>(contactRecords, 'contact').map((c) => [c.name, c.identifiers]),
    ).toEqual([
      ['Ana Pop', ['+447700900123', 'ana@example.org']],
      ['Bo', ['+447700900555']],
    ]);
  });

  it('fails an empty export with one line saying it has no header row', async () => {
    const path = writeCsvExport(tempDir(), 'empty.csv', [], []);
    await expect(parse(customMapping(), evidence(path))).rejects.toMatchObject({
      kind: 'bad-input',
      message: 'the export has no header row (row 1 is missing)',
    });
  });

  it('skips a preamble before the header row the mapping names', async () => {
    const path = writeCsvExport(
      tempDir(),
      'export.csv',
      ['Messages report'],
      [
        ['Case 7'],
        CUSTOM_HEADER,
        ['c', '07700 900123', 'Ana', 'In', '19/07/2024 21:00:00', 'hi', 'SMS', 'No', ''],
      ],
    );
    const mapping = customMapping({ file: { type: 'csv', headerRow: 3 } });
    const records = await parse(mapping, evidence(path));
    expect(ofType<MessageRecord>(records, 'message').map((m) => [m.body, m.source.line])).toEqual([
      ['hi', 4],
    ]);
    expect(ofType(records, 'problem')).toEqual([]);
  });
});
