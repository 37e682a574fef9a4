import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { JobMapping } from '../../../main/ingest/ingestJob.js';
import { searchMessages } from '../../../main/ingest/messageSearch.js';
import { BUILTIN_MAPPINGS } from '../../../workers/ingest/mappings/builtinMappings.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { CORPUS } from '../../helpers/models.js';
import {
  CUSTOM_HEADER,
  customMapping,
  GENERIC_HEADER,
  writeCsvExport,
  writeRawExport,
  type FixtureEncoding,
} from '../../helpers/tabularExport.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

/** Two chats: one in the UK, one in Romania, with a line break, quotes, emoji and odd values. */
const CUSTOM_ROWS = [
  [
    'chat-1',
    '07700 900123',
    'Ana',
    'In',
    '19/07/2024 21:00:00',
    'meet at the\nstation',
    'SMS',
    'No',
    '',
  ],
  [
    'chat-1',
    '07700 900123',
    'Ana',
    'Out',
    '19/07/2024 21:01:30',
    'say "when"',
    'SMS',
    'No',
    'IMG_1.jpg;IMG_2.jpg',
  ],
  [
    'chat-2',
    '+40 712 345 678',
    'Ion',
    'In',
    '19/01/2024 08:00:00',
    'vine mâine 🚉',
    'WhatsApp',
    'Yes',
    '',
  ],
  [
    'chat-2',
    '+40 712 345 678',
    'Ion',
    'Sideways',
    '20/01/2024 08:00:00',
    '?',
    'WhatsApp',
    'Maybe',
    '',
  ],
];

const mappingOf = (m: unknown) => ({ json: JSON.stringify(m), origin: 'mapping test.json' });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('tabular export ingest', () => {
  const tempDir = useTempDirs();

  const custom = (encoding: FixtureEncoding = 'utf-8') =>
    writeCsvExport(tempDir(), 'export.csv', CUSTOM_HEADER, CUSTOM_ROWS, { encoding });

  it('reads an export through a given mapping: people, threads, times in their zone, value maps', async () => {
    const r = await ingestedInNewCase(tempDir(), custom('utf-16le-bom'), 'GB', {
      mapping: mappingOf(customMapping()),
    });

    expect(r.job.state).toBe('done');
    expect(r.job.result).toMatchObject({
      format: 'export.custom-test',
      formatLabel: 'Custom test export',
      participants: 2,
      threads: 2,
      messages: 4,
      problems: 0,
    });
    const all = searchMessages(r.store.db, {});
    expect(
      all.map((m) => [
        m.threadTitle,
        m.service,
        m.sender,
        m.senderName,
        m.direction,
        m.sentAt,
        m.utcOffsetMinutes,
        m.deleted,
        m.attachments,
      ]),
    ).toEqual([
      [
        'chat-2',
        'whatsapp',
        '+40712345678',
        'Ion',
        'incoming',
        '2024-01-19T06:00:00.000Z',
        120,
        true,
        0,
      ],
      [
        'chat-2',
        'whatsapp',
        '+40712345678',
        'Ion',
        'unknown',
        '2024-01-20T06:00:00.000Z',
        120,
        false,
        0,
      ],
      [
        'chat-1',
        'sms',
        '+447700900123',
        'Ana',
        'incoming',
        '2024-07-19T18:00:00.000Z',
        180,
        false,
        0,
      ],
      [
        'chat-1',
        'sms',
        '+447700900123',
        'Ana',
        'outgoing',
        '2024-07-19T18:01:30.000Z',
        180,
        false,
        2,
      ],
    ]);
    expect(all[1]!.flags).toEqual(['direction-unmapped', 'deleted-unmapped']);
    expect(all[2]).toMatchObject({
      body: 'meet at the\nstation',
      flags: [],
      source: { file: 'export.csv', line: 2 },
    });
    expect(all[3]).toMatchObject({
      body: 'say "when"',
      source: { file: 'export.csv', line: 4, columns: CUSTOM_HEADER },
    });
    expect(
      r.store.db.prepare('SELECT name FROM attachments ORDER BY ordinal').pluck().all(),
    ).toEqual(['IMG_1.jpg', 'IMG_2.jpg']);
    r.close();
  });

  it.each<FixtureEncoding>(['utf-8', 'utf-8-bom', 'utf-16le-bom', 'utf-16be-bom'])(
    'reads the same export written in %s',
    async (encoding) => {
      const r = await ingestedInNewCase(tempDir(), custom(encoding), 'GB', {
        mapping: mappingOf(customMapping()),
      });
      expect(searchMessages(r.store.db, {}).map((m) => m.body)).toEqual([
        'vine mâine 🚉',
        '?',
        'meet at the\nstation',
        'say "when"',
      ]);
      r.close();
    },
  );

  it('reports a bad row in the middle and a quote never closed, and keeps every other row', async () => {
    const lines = [
      CUSTOM_HEADER.join(','),
      'chat-1,07700 900123,Ana,In,19/07/2024 21:00:00,first,SMS,No,',
      'chat-1,07700 900123,Ana,In,19/07/2024 21:00:01,too,many,fields,SMS,No,',
      'chat-1,07700 900123,Ana,In,19/07/2024 21:00:02,third,SMS,No,',
      'chat-1,07700 900123,Ana,In,19/07/2024 21:00:03,"never closed,SMS,No,',
      'chat-1,07700 900123,Ana,In,19/07/2024 21:00:04,fifth,SMS,No,',
    ];
    const file = writeRawExport(tempDir(), 'export.csv', lines.join('\r\n') + '\r\n');
    const r = await ingestedInNewCase(tempDir(), file, 'GB', {
      mapping: mappingOf(customMapping()),
    });

    expect(r.job.result).toMatchObject({ messages: 3, problems: 2 });
    expect(searchMessages(r.store.db, {}).map((m) => [m.body, m.source.line])).toEqual([
      ['first', 2],
      ['third', 4],
      ['fifth', 6],
    ]);
    expect(
      r.store.db.prepare('SELECT message, source FROM ingest_problems ORDER BY id').all(),
    ).toEqual([
      {
        message: 'the row has 11 fields where the header has 9; it is skipped',
        source: JSON.stringify({ file: 'export.csv', line: 3 }),
      },
      {
        message: 'a quoted field is never closed; the record is skipped',
        source: JSON.stringify({ file: 'export.csv', line: 5 }),
      },
    ]);
    r.close();
  });

  it('adds nothing when the export is ingested again through the same mapping', async () => {
    const mapping = mappingOf(customMapping());
    const r = await ingestedInNewCase(tempDir(), custom(), 'GB', { mapping });
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id, { mapping }).id);

    expect(again.result).toMatchObject({ messages: 4, threads: 2, participants: 2 });
    expect(r.store.db.prepare('SELECT count(*) FROM attachments').pluck().get()).toBe(2);
    r.close();
  });

  it('resumes after the worker is killed mid-ingest, through the mapping the job holds', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [
      `chat-${i % 7}`,
      `07700 9${String(i % 50).padStart(5, '0')}`,
      '',
      i % 2 ? 'In' : 'Out',
      '19/07/2024 21:00:00',
      `message ${i}\nsecond line`,
      'SMS',
      'No',
      '',
    ]);
    const file = writeCsvExport(tempDir(), 'export.csv', CUSTOM_HEADER, rows);
    let stored = () => 0;
    const host = killFirstWorkerWhen(() => stored() >= 500);
    const ctx = await workstationWithCase(tempDir());
    const count = (sql: string) => ctx.store.db.prepare(sql).pluck().get() as number;
    stored = () => count('SELECT count(*) FROM messages');
    const { item } = await ctx.store.importEvidence(file);
    const mapping = mappingOf(customMapping());

    const job = await ctx.store.runner(host).run(ctx.store.queueIngest(item.id, { mapping }).id);

    expect(job).toMatchObject({ state: 'done', attempts: 2, result: { messages: 20_000 } });
    expect(count('SELECT count(DISTINCT body) FROM messages')).toBe(20_000);
    expect(job.params.mapping as JobMapping).toEqual({
      name: 'custom-test',
      sha256: sha256(mapping.json),
      json: mapping.json,
    });
    const audited = ctx.store.audit.list().find((e) => e.action === 'evidence.ingest');
    expect(audited!.details).toMatchObject({
      mapping: { name: 'custom-test', sha256: sha256(mapping.json), builtin: false },
    });
    ctx.store.close();
    ctx.workstation.close();
  });

  it('tells a built-in layout from its header row alone, and audits which mapping read it', async () => {
    const file = writeCsvExport(
      tempDir(),
      'no-extension',
      GENERIC_HEADER,
      [
        ['t1', '07700 900123', 'Ana', '', 'in', '2024-03-19T21:00:00+01:00', 'hi', 'sms', 'no', ''],
        [
          't1',
          '',
          '',
          '07700 900123',
          'out',
          '2024-03-19T21:05:00+01:00',
          'hello',
          'sms',
          '1',
          'a.jpg',
        ],
      ],
      { encoding: 'utf-8-bom' },
    );
    const r = await ingestedInNewCase(tempDir(), file);

    const builtin = BUILTIN_MAPPINGS.get('generic-messages')!;
    expect(r.job.result).toMatchObject({
      format: 'export.generic-messages',
      messages: 2,
      mapping: { name: 'generic-messages', sha256: builtin.sha256, builtin: true },
    });
    expect(
      searchMessages(r.store.db, {}).map((m) => [
        m.direction,
        m.sentAt,
        m.utcOffsetMinutes,
        m.deleted,
      ]),
    ).toEqual([
      ['incoming', '2024-03-19T20:00:00.000Z', 60, false],
      ['outgoing', '2024-03-19T20:05:00.000Z', 60, true],
    ]);
    const audited = r.store.audit.list().find((e) => e.action === 'evidence.ingest');
    expect(audited!.details).toMatchObject({
      mapping: { name: 'generic-messages', builtin: true },
    });

    const named = { json: builtin.json, origin: 'built-in mapping generic-messages' };
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id, { mapping: named }).id);
    expect(again.result).toMatchObject({
      messages: 2,
      mapping: { name: 'generic-messages', sha256: builtin.sha256, builtin: true },
    });
    r.close();
  });

  it('refuses a CSV whose header is no built-in layout when no mapping is given', async () => {
    const r = await ingestedInNewCase(tempDir(), custom());
    expect(r.job.state).toBe('failed');
    expect(r.job.error).toMatchObject({
      kind: 'bad-input',
      message: /^not a format TOEX reads: a \d+-byte file/,
    });
    r.close();
  });

  it('fails with one line when the export lacks a column the mapping reads', async () => {
    const mapping = customMapping({ fields: { ...customMapping().fields, body: 'Message text' } });
    const r = await ingestedInNewCase(tempDir(), custom(), 'GB', { mapping: mappingOf(mapping) });
    expect(r.job.error).toMatchObject({
      kind: 'bad-input',
      message:
        'the export has no column "Message text" that mapping custom-test reads (line 1 is taken as the header)',
    });
    expect(r.job.result).toBeNull();
    r.close();
  });

  it('refuses a bad mapping before queueing anything', async () => {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(custom());
    expect(() =>
      ctx.store.queueIngest(item.id, { mapping: mappingOf(customMapping({ record: 'sms' })) }),
    ).toThrow('mapping test.json record: must be one of message, call, contact');
    expect(ctx.store.jobs.list()).toEqual([]);
    ctx.store.close();
    ctx.workstation.close();
  });

  const mattermost = join(CORPUS, 'mobile', 'other_chat', 'dfrws2021_mattermost_messages.csv');
  it.skipIf(!existsSync(mattermost))(
    'reads the corpus DFRWS 2021 Mattermost CSV through a mapping written for it',
    async () => {
      // PROVENANCE: timestamp in ms, user, channel, message, filenames; space-padded columns.
      const mapping = {
        mapping: 1,
        name: 'mattermost-dfrws',
        record: 'message',
        file: { type: 'csv', trim: true },
        fields: {
          thread: 'channel',
          sender: 'user',
          time: { column: 'timestamp', format: 'unix-ms' },
          body: 'message',
        },
      };
      const r = await ingestedInNewCase(tempDir(), mattermost, 'GB', {
        mapping: mappingOf(mapping),
      });

      // 126 rows: 12 of them name a group channel "a, b, c" unquoted, so they hold 7 fields.
      expect(r.job.result).toMatchObject({
        messages: 114,
        problems: 12,
        participants: 3,
        threads: 8,
      });
      const all = searchMessages(r.store.db, {});
      const by = (who: string | null) => all.filter((m) => m.sender === who).length;
      expect([by('red.skull'), by('arnim.zola'), by('grant.ward'), by(null)]).toEqual([
        64, 30, 19, 1,
      ]);
      expect(all[0]).toMatchObject({
        sentAt: '2021-04-11T16:24:56.487Z',
        sender: 'red.skull',
        body: 'red.skull joined the team.',
        source: { file: 'dfrws2021_mattermost_messages.csv', line: 2 },
      });
      expect(all.filter((m) => m.sentAt !== null).at(-1)!.sentAt).toBe('2021-04-29T08:46:34.233Z');
      // Line 114 holds a four-byte emoji whose lead bytes were lost: kept, replaced and flagged.
      expect(
        all.filter((m) => m.flags.includes('invalid-utf8')).map((m) => [m.source.line, m.body]),
      ).toEqual([[114, '?\ufffd\ufffd']]);
      expect(all.find((m) => m.source.line === 90)).toMatchObject({
        body: '(Posting again)',
        sentAt: null,
        sender: null,
      });
      r.close();
    },
  );
});
