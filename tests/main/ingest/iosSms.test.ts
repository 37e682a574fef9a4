import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { contactSummary, searchMessages } from '../../../main/ingest/messageSearch.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import { appleNs, attributedBody, iosSmsDb } from '../../helpers/iosSmsDb.js';
import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { binaryPlist } from '../../helpers/plist.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const DEALER = '07700 900123';
const RUNNER = 'runner@example.org';
const REF = 'OP-ARCTIC/2026/0042';

/** A dealer's SMS thread and a named iMessage group, one message only in attributedBody. */
function iphone(dir: string): string {
  return iosSmsDb(dir, {
    chats: [
      { handles: [DEALER], service: 'SMS' },
      { handles: [DEALER, RUNNER], service: 'iMessage', name: 'Drop' },
    ],
    messages: [
      {
        chat: 0,
        handle: DEALER,
        date: appleNs('2024-03-09T21:00:00Z'),
        fromMe: false,
        text: 'Ștefan vine mâine',
      },
      {
        chat: 0,
        handle: DEALER,
        date: appleNs('2024-03-09T21:01:00Z'),
        fromMe: true,
        text: 'câte bucăți?',
      },
      {
        chat: 1,
        handle: RUNNER,
        date: appleNs('2024-03-10T08:00:00Z'),
        fromMe: false,
        attributedBody: attributedBody('at the station now'),
      },
      {
        chat: 1,
        handle: DEALER,
        date: appleNs('2024-03-10T08:02:00Z'),
        fromMe: false,
        text: '\uFFFC',
        attachments: [
          {
            filename: '~/Library/SMS/Attachments/ab/11/Audio Message.caf',
            mime: 'audio/x-caf',
            bytes: 48_213,
          },
        ],
      },
      { chat: 1, handle: RUNNER, date: appleNs('2024-03-10T08:03:00Z'), fromMe: false, text: null },
    ],
  });
}

describe('iOS Messages ingest', () => {
  const tempDir = useTempDirs();

  const ingested = (file: string) => ingestedInNewCase(tempDir(), file);

  it('stores an iPhone sms.db: chats, people and messages, the blob-only one searchable', async () => {
    const r = await ingested(iphone(tempDir()));

    expect(r.job.state).toBe('done');
    expect(r.job.result).toMatchObject({
      format: 'ios.sms',
      formatLabel: 'iOS Messages (sms.db)',
      threads: 2,
      messages: 5,
      participants: 2,
      problems: 0,
    });
    const all = searchMessages(r.store.db, {});
    expect(all.map((m) => [m.service, m.threadTitle, m.direction, m.sender, m.body])).toEqual([
      ['sms', null, 'incoming', '+447700900123', 'Ștefan vine mâine'],
      ['sms', null, 'outgoing', null, 'câte bucăți?'],
      ['imessage', 'Drop', 'incoming', 'runner@example.org', 'at the station now'],
      ['imessage', 'Drop', 'incoming', '+447700900123', '\uFFFC'],
      ['imessage', 'Drop', 'incoming', 'runner@example.org', null],
    ]);
    expect(all[2]).toMatchObject({
      sentAt: '2024-03-10T08:00:00.000Z',
      flags: ['text-from-attributed-body'],
      source: { file: 'sms.db', table: 'message', rowId: 3 },
    });
    expect(all[3]!.attachments).toBe(1);
    expect(all[4]!.flags).toEqual(['no-text']);
    expect(searchMessages(r.store.db, { search: 'STATION' }).map((m) => m.id)).toEqual([
      all[2]!.id,
    ]);
    expect(searchMessages(r.store.db, { search: 'stefan maine' })).toHaveLength(1);
    r.close();
  });

  it('adds nothing when the same sms.db is ingested again', async () => {
    const r = await ingested(iphone(tempDir()));
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ messages: 5, threads: 2, participants: 2 });
    expect(
      contactSummary(r.store.db).map((p) => [p.identifier, p.messagesFrom, p.messagesTo]),
    ).toEqual([
      ['+447700900123', 2, 1],
      ['runner@example.org', 2, 0],
    ]);
    r.close();
  });

  it('stores an enormous message cut and flagged, and a 2001 date as read but flagged', async () => {
    const r = await ingested(
      iosSmsDb(tempDir(), {
        chats: [{ handles: [DEALER], service: 'iMessage' }],
        messages: [
          {
            chat: 0,
            handle: DEALER,
            date: appleNs('2024-03-09T21:00:00Z'),
            fromMe: false,
            text: 'y'.repeat(3_000_000),
          },
          { chat: 0, handle: DEALER, date: 5, fromMe: false, text: 'clock reset' },
        ],
      }),
    );
    expect(r.job.state).toBe('done');
    const [huge, reset] = searchMessages(r.store.db, {}).sort((a, b) => a.id - b.id);
    expect(huge!.body).toHaveLength(1 << 20);
    expect(huge!.flags).toEqual(['body-truncated']);
    expect(reset).toMatchObject({
      sentAt: '2001-01-01T00:00:05.000Z',
      flags: ['time-before-iphone'],
      body: 'clock reset',
    });
    r.close();
  });

  it('resumes after its worker is killed mid-ingest, storing every message exactly once', async () => {
    const file = iosSmsDb(tempDir(), {
      chats: Array.from({ length: 5 }, (_, i) => ({
        handles: [`07700 90000${i}`],
        service: 'iMessage' as const,
      })),
      messages: Array.from({ length: 20000 }, (_, i) => ({
        chat: i % 5,
        handle: `07700 90000${i % 5}`,
        date: appleNs('2024-03-09T21:00:00Z') + BigInt(i) * 1_000_000_000n,
        fromMe: i % 4 === 0,
        ...(i % 2
          ? { text: `message number ${i}` }
          : { attributedBody: attributedBody(`message number ${i}`) }),
      })),
    });
    const ctx = await workstationWithCase(tempDir());
    const stored = () =>
      (ctx.store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const host = killFirstWorkerWhen(() => stored() >= 500);
    const { item } = await ctx.store.importEvidence(file);

    const job = await ctx.store.runner(host).run(ctx.store.queueIngest(item.id).id);

    expect(job).toMatchObject({
      state: 'done',
      attempts: 2,
      result: { messages: 20000, threads: 5 },
    });
    const distinct = ctx.store.db.prepare('SELECT count(DISTINCT body) AS n FROM messages').get();
    expect(distinct).toEqual({ n: 20000 });
    ctx.store.close();
    ctx.workstation.close();
  });

  it('is ingested and searched from the command line', async () => {
    const home = tempDir();
    const db = iphone(tempDir());
    await toexSteps(home, [...newCaseSteps(REF, [db])]);
    const ingest = await toex(home, ['ingest', REF, '1']);
    expect(ingest.stderr).toBe('');
    expect(ingest.stdout).toBe(
      'Item 1 (iOS Messages (sms.db)): 5 messages in 2 threads, 2 people, 0 calls, 0 contacts.\n',
    );
    const found = await toex(home, ['messages', REF, '--search', 'station']);
    expect(found.stdout).toBe(
      '#3 thread 2 2024-03-10 08:00:00Z <- runner@example.org: at the station now (text-from-attributed-body)\n',
    );
  });

  it('keeps every version of an edited message and shows them under it', async () => {
    const versions = (texts: [string, number][]) =>
      binaryPlist({
        ec: {
          '0': texts.map(([t, d]) => ({ t: { $bytes: attributedBody(t).toString('hex') }, d })),
        },
      });
    const db = iosSmsDb(tempDir(), {
      chats: [{ handles: [DEALER], service: 'iMessage' }],
      messages: [
        {
          chat: 0,
          handle: DEALER,
          date: appleNs('2022-11-19T01:17:54Z'),
          fromMe: false,
          text: 'meet at 9',
          summaryInfo: versions([
            ['meet at 8', 690_513_474],
            ['meet at 9', 690_513_480],
          ]),
        },
      ],
    });
    const home = tempDir();
    await toexSteps(home, [...newCaseSteps(REF, [db]), ['ingest', REF, '1']]);
    const shown = await toex(home, ['messages', REF]);
    expect(shown.stdout).toBe(
      [
        '#1 thread 1 2022-11-19 01:17:54Z <- +447700900123: meet at 9 (edited)',
        '    version 1 of 2, 2022-11-19 01:17:54Z: meet at 8',
        '    version 2 of 2, 2022-11-19 01:18:00Z: meet at 9',
        '',
      ].join('\n'),
    );
  });

  const mvt = join(CORPUS, 'mobile', 'ios', 'mvt', 'sms.db');
  it.skipIf(!existsSync(mvt))(
    'ingests the corpus iOS 16 sms.db (mvt test file): 1 message, 1 handle, no chat tables',
    async () => {
      const r = await ingested(mvt);
      expect(r.job.result).toMatchObject({
        format: 'ios.sms',
        messages: 1,
        threads: 1,
        participants: 1,
        problems: 0,
      });
      expect(searchMessages(r.store.db, { search: 'click' })).toMatchObject([
        {
          direction: 'incoming',
          sender: 'apple',
          sentAt: '2019-08-29T23:13:30.540Z',
          body: 'Please click here https://badbadbad.example.org/',
          source: { table: 'message', rowId: 3 },
        },
      ]);
      r.close();
    },
  );
});
