import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { contactSummary, searchMessages } from '../../../main/ingest/messageSearch.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { newCaseSteps, toex, toexSteps } from '../../helpers/cli.js';
import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { useTempDirs } from '../../helpers/temp.js';
import { chatText, writeChatTxt, writeChatZip } from '../../helpers/whatsappExport.js';
import { workstationWithCase } from '../../helpers/workstation.js';

/** A three-person chat, shared from an iPhone with a photo beside it and one hostile entry. */
function sharedZip(dir: string): string {
  const text = chatText('ios-dmy-12h', [
    { at: '2024-03-19T21:00:00Z', from: 'Ștefan', text: 'vine mâine la gară' },
    { at: '2024-03-19T21:01:00Z', from: '+44 7700 900123', text: 'сколько штук?\nдесять' },
    { at: '2024-03-19T21:02:00Z', from: 'Ștefan', text: '\u200e<attached: 00000001-PHOTO.jpg>' },
    { at: '2024-03-19T21:03:00Z', from: 'Runner', text: 'at the station now' },
  ]);
  return writeChatZip(dir, text, {
    '00000001-PHOTO.jpg': new Uint8Array(2048),
    '../../outside.jpg': 'x',
  });
}

describe('WhatsApp export ingest', () => {
  const tempDir = useTempDirs();

  const ingested = (file: string, region = 'GB') => ingestedInNewCase(tempDir(), file, region);

  it("places the export's wall-clock times in the zone the examiner gives, and the owner's messages as outgoing", async () => {
    const text = chatText('android-dmy', [
      { at: '2024-03-30T23:30:00Z', from: 'Dan', text: 'before the clocks go forward' },
      { at: '2024-03-31T01:30:00Z', from: 'Kai', text: 'an hour that never was' },
      { at: '2024-07-01T12:00:00Z', from: 'Dan', text: 'summer' },
      { at: '2024-10-27T01:30:00Z', from: 'Kai', text: 'an hour that was twice' },
      { at: '2024-10-27T09:00:00Z', text: 'Messages are end-to-end encrypted.' },
    ]);
    const r = await ingestedInNewCase(tempDir(), writeChatTxt(tempDir(), text), 'GB', {
      timeZone: 'Europe/London',
      ownerName: 'Dan',
    });
    expect(r.job.result).toMatchObject({ messages: 5, participants: 1, problems: 0 });
    const all = searchMessages(r.store.db, {});
    expect(all.map((m) => [m.sentAt, m.utcOffsetMinutes, m.direction, m.sender, m.flags])).toEqual([
      ['2024-03-30T23:30:00.000Z', 0, 'outgoing', null, ['time-zone-from-examiner']],
      [
        '2024-03-31T01:30:00.000Z',
        60,
        'incoming',
        'Kai',
        ['local-time-nonexistent', 'time-zone-from-examiner'],
      ],
      ['2024-07-01T11:00:00.000Z', 60, 'outgoing', null, ['time-zone-from-examiner']],
      [
        '2024-10-27T00:30:00.000Z',
        60,
        'incoming',
        'Kai',
        ['local-time-ambiguous', 'time-zone-from-examiner'],
      ],
      ['2024-10-27T09:00:00.000Z', 0, 'unknown', null, ['time-zone-from-examiner', 'system']],
    ]);
    // The owner is the device, not a person it talks to.
    expect(contactSummary(r.store.db).map((c) => c.identifier)).toEqual(['Kai']);
    r.close();

    const stranger = await ingestedInNewCase(tempDir(), writeChatTxt(tempDir(), text), 'GB', {
      ownerName: 'Nobody',
    });
    expect(stranger.job.result).toMatchObject({ messages: 5, participants: 2, problems: 1 });
    expect(searchMessages(stranger.store.db, {}).map((m) => m.direction)).toEqual(
      Array(5).fill('unknown'),
    );
    stranger.close();
  });

  it('refuses an unknown time zone before queueing anything', async () => {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(writeChatTxt(tempDir(), 'x'));
    expect(() => ctx.store.queueIngest(item.id, { timeZone: 'Mars/Olympus_Mons' })).toThrow(
      'unknown time zone "Mars/Olympus_Mons" (use an IANA name such as Europe/London)',
    );
    expect(ctx.store.jobs.list()).toEqual([]);
    ctx.store.close();
    ctx.workstation.close();
  });

  it('reads a shared .zip: one thread, its people, a linked photo, a refused entry', async () => {
    const r = await ingested(sharedZip(tempDir()));

    expect(r.job.state).toBe('done');
    expect(r.job.result).toMatchObject({
      format: 'whatsapp.export-text',
      threads: 1,
      messages: 4,
      participants: 3,
      problems: 1,
    });
    const all = searchMessages(r.store.db, {});
    expect(all.map((m) => [m.sender, m.sentAt, m.utcOffsetMinutes, m.attachments])).toEqual([
      ['Ștefan', '2024-03-19T21:00:00.000Z', null, 0],
      ['+447700900123', '2024-03-19T21:01:00.000Z', null, 0],
      ['Ștefan', '2024-03-19T21:02:00.000Z', null, 1],
      ['Runner', '2024-03-19T21:03:00.000Z', null, 0],
    ]);
    expect(all[1]).toMatchObject({
      service: 'whatsapp',
      threadTitle: 'WhatsApp Chat - Test',
      direction: 'unknown',
      body: 'сколько штук?\nдесять',
      flags: ['local-time-unknown-zone'],
      source: { file: '_chat.txt', line: 2 },
    });
    expect(all[2]!.body).toBe('\u200e<attached: 00000001-PHOTO.jpg>');
    r.close();
  });

  it('finds words across scripts and accents, and by person', async () => {
    const r = await ingested(sharedZip(tempDir()));
    const bodies = (filter: Parameters<typeof searchMessages>[1]) =>
      searchMessages(r.store.db, filter).map((m) => m.body);

    expect(bodies({ search: 'десять' })).toEqual(['сколько штук?\nдесять']);
    expect(bodies({ search: 'gara' })).toEqual(['vine mâine la gară']);
    expect(bodies({ participant: 'Runner' })).toEqual(['at the station now']);
    expect(contactSummary(r.store.db).map((p) => p.identifier)).toContain('+447700900123');
    r.close();
  });

  it('adds nothing when the same export is ingested again', async () => {
    const r = await ingested(sharedZip(tempDir()));
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ messages: 4, threads: 1, participants: 3 });
    expect(searchMessages(r.store.db, {})).toHaveLength(4);
    r.close();
  });

  it('resumes after its worker is killed mid-ingest, storing every message once', async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => ({
      at: new Date(Date.UTC(2024, 2, 19) + i * 60_000).toISOString(),
      from: `Person ${i % 7}`,
      text: `message number ${i}`,
    }));
    const zip = writeChatZip(tempDir(), chatText('android-dmy', lines));
    let stored = () => 0;
    const host = killFirstWorkerWhen(() => stored() >= 500);
    const ctx = await workstationWithCase(tempDir());
    const count = (sql: string) => (ctx.store.db.prepare(sql).get() as { n: number }).n;
    stored = () => count('SELECT count(*) AS n FROM messages');
    const { item } = await ctx.store.importEvidence(zip);

    const job = await ctx.store.runner(host).run(ctx.store.queueIngest(item.id).id);

    expect(job).toMatchObject({ state: 'done', attempts: 2, result: { messages: 20000 } });
    expect(count('SELECT count(DISTINCT body) AS n FROM messages')).toBe(20000);
    ctx.store.close();
    ctx.workstation.close();
  });

  it('reads a bare .txt export told apart from other text by its content', async () => {
    const text = '12/9/20, 23:55 - Alice created group "x"\n12/9/20, 23:56 - Bob: hello\n';
    const r = await ingested(writeChatTxt(tempDir(), text, 'notes.txt'), 'US');
    expect(r.job.result).toMatchObject({ format: 'whatsapp.export-text', messages: 2 });
    const [notice, hello] = searchMessages(r.store.db, {});
    expect(notice!.flags).toEqual(['local-time-unknown-zone', 'date-order-guessed', 'system']);
    expect(hello).toMatchObject({ sender: 'Bob', sentAt: '2020-12-09T23:56:00.000Z' });
    r.close();
  });

  it('lists the messages on the command line with their direction shown as unknown', async () => {
    const home = tempDir();
    const ref = 'OP-ARCTIC/2026/0042';
    await toexSteps(home, [...newCaseSteps(ref, [sharedZip(tempDir())]), ['ingest', ref, '1']]);
    const found = await toex(home, ['messages', ref, '--search', 'десять']);
    expect(found.stdout).toBe(
      '#2 thread 1 2024-03-19 21:01:00Z -- +447700900123: сколько штук? ⏎ десять' +
        ' (local-time-unknown-zone)\n',
    );
  });

  const ru = join(CORPUS, 'mobile', 'whatsapp_txt', 'whats_json');
  it.skipIf(!existsSync(ru))(
    'reads the corpus iOS .zip export (Russian UI): 25 messages',
    async () => {
      const r = await ingested(join(ru, 'WhatsApp_Chat_Elon_Musk_RU_ios_export.zip'));
      expect(r.job.result).toMatchObject({
        messages: 25,
        threads: 1,
        participants: 2,
        problems: 0,
      });
      expect(searchMessages(r.store.db, { search: 'Hello World' })[0]).toMatchObject({
        sender: 'Dmitry Starkov',
        sentAt: '2022-03-27T21:41:35.000Z',
      });
      r.close();
    },
  );
});
