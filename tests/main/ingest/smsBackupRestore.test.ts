import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { contactSummary, searchMessages } from '../../../main/ingest/messageSearch.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { CORPUS } from '../../helpers/models.js';
import { callsBackupXml, smsBackupXml } from '../../helpers/smsBackupXml.js';
import { useTempDirs } from '../../helpers/temp.js';

const AT = Date.parse('2024-03-09T21:00:00Z');

describe('SMS Backup & Restore ingest', () => {
  const tempDir = useTempDirs();

  it('stores a messages backup and a call log backup in one case, once however often ingested', async () => {
    const dir = tempDir();
    const r = await ingestedInNewCase(
      tempDir(),
      smsBackupXml(dir, {
        sms: [
          {
            address: '07700 900123',
            date: AT,
            type: 1,
            body: 'Ștefan vine mâine',
            contactName: 'Stef',
          },
          { address: '07700900123', date: AT + 60_000, type: 2, body: 'ok' },
        ],
        mms: [
          {
            address: '07700900123',
            date: AT + 120_000,
            box: 1,
            text: 'pic',
            from: '07700900123',
            to: [],
          },
        ],
      }),
    );
    const { item } = await r.store.importEvidence(
      callsBackupXml(dir, [
        { number: '07700900123', duration: 12, date: AT + 180_000, type: 2 },
        { number: '-2', duration: 0, date: AT + 240_000, type: 3, presentation: 2 },
      ]),
    );
    const calls = await r.store.runner().run(r.store.queueIngest(item.id, { region: 'GB' }).id);

    expect(r.job.result).toMatchObject({
      format: 'android.smsbackuprestore',
      formatLabel: 'SMS Backup & Restore XML (SyncTech)',
      messages: 3,
      threads: 1,
      participants: 1,
      problems: 0,
    });
    expect(calls.result).toMatchObject({ calls: 2, participants: 1, messages: 0 });
    expect(searchMessages(r.store.db, { search: 'stefan maine' })).toMatchObject([
      { direction: 'incoming', sender: '+447700900123', senderName: 'Stef' },
    ]);
    expect(contactSummary(r.store.db)).toMatchObject([
      {
        identifier: '+447700900123',
        names: ['Stef'],
        messagesFrom: 2,
        messagesTo: 1,
        calls: 1,
        evidenceIds: [r.item.id, item.id],
        last: '2024-03-09T21:03:00.000Z',
      },
    ]);
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ messages: 3, threads: 1, participants: 1 });
    r.close();
  });

  const corpus = (name: string) =>
    join(CORPUS, 'mobile', 'android', 'sms_backup_restore_xml', name);
  const sms = corpus('memacs_sms-backup-restore.xml');
  const calls = corpus('memacs_calls-backup-restore.xml');
  it.skipIf(!existsSync(sms) || !existsSync(calls))(
    'ingests the corpus Memacs backups: 4 SMS, and 8 calls of which one is from no number',
    async () => {
      const r = await ingestedInNewCase(tempDir(), sms, 'AT');
      const { item } = await r.store.importEvidence(calls);
      const callJob = await r.store.runner().run(r.store.queueIngest(item.id, { region: 'AT' }).id);

      expect(r.job.result).toMatchObject({
        format: 'android.smsbackuprestore',
        messages: 4,
        threads: 4,
        participants: 4,
        problems: 0,
      });
      expect(
        searchMessages(r.store.db, {}).map((m) => [m.sentAt, m.direction, m.sender, m.body]),
      ).toEqual([
        [
          '2011-08-04T10:05:53.000Z',
          'incoming',
          '+436812314123',
          'did you see the new sms memacs module?',
        ],
        ['2011-08-04T16:04:55.759Z', 'outgoing', null, 'Memacs FTW!'],
        ['2011-08-04T20:25:50.928Z', 'outgoing', null, 'i like memacs'],
        ['2011-08-05T18:32:01.554Z', 'outgoing', null, 'http://google.at'],
      ]);

      // 06612341234, written without its country code, is the +436612341234 of another call.
      expect(callJob.result).toMatchObject({ calls: 8, participants: 6, problems: 0 });
      const stored = r.store.db
        .prepare(
          `SELECT p.identifier, c.direction, c.started_at, c.duration_seconds, c.flags
           FROM calls c LEFT JOIN participants p ON p.id = c.participant_id ORDER BY c.id`,
        )
        .all()
        .map((c) => Object.values(c as object));
      expect(stored).toEqual([
        ['+43691234123', 'incoming', '2011-08-05T17:05:06.092Z', 59, '[]'],
        ['+436612341234', 'outgoing', '2011-08-05T10:46:55.834Z', 22, '[]'],
        [null, 'incoming', '2011-08-05T07:51:31.081Z', 382, '["number-unknown"]'],
        ['+4312341234', 'incoming', '2011-08-04T18:25:27.195Z', 289, '[]'],
        ['+4366412341234', 'incoming', '2011-08-04T16:45:34.059Z', 70, '[]'],
        ['+4366234123', 'outgoing', '2011-08-04T16:02:31.975Z', 0, '[]'],
        ['+436612341234', 'missed', '2011-08-04T15:21:40.072Z', 0, '[]'],
        ['+433123412', 'outgoing', '2011-08-04T14:36:02.489Z', 60, '[]'],
      ]);
      expect(
        r.store.db.prepare(`SELECT source FROM calls WHERE participant_id IS NULL`).get(),
      ).toEqual({
        source: '{"file":"memacs_calls-backup-restore.xml","xmlPath":"/calls/call[3]"}',
      });
      // The number texted in one backup and called in the other is one person across both.
      expect(contactSummary(r.store.db).find((p) => p.identifier === '+4312341234')).toMatchObject({
        messagesTo: 1,
        calls: 1,
        evidenceIds: [r.item.id, item.id],
      });
      r.close();
    },
  );
});
