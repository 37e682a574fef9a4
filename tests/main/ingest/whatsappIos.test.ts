import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { searchMessages } from '../../../main/ingest/messageSearch.js';
import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { useTempDirs } from '../../helpers/temp.js';
import { whatsappIosDb } from '../../helpers/whatsappIosDb.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');
const DEALER = '447700900123@s.whatsapp.net';
const GROUP = '120363012345678901@g.us';

describe('WhatsApp on iOS', () => {
  const tempDir = useTempDirs();

  it("reads ChatStorage.sqlite: chats with the phone's names for people, group senders, media paths", async () => {
    const file = whatsappIosDb(
      tempDir(),
      [
        { jid: DEALER, name: 'Dealer Dan' },
        {
          jid: GROUP,
          name: 'Drop 🚚',
          members: [
            { jid: '447700900456@s.whatsapp.net', name: 'Runner' },
            { jid: '81234567890123@lid' },
          ],
        },
      ],
      [
        { chat: 0, fromMe: false, text: 'Ștefan vine mâine', at: T0 },
        { chat: 0, fromMe: true, text: 'ok', at: T0 + 60_000 },
        { chat: 1, fromMe: false, member: 0, text: 'at the station', at: T0 + 120_000 },
        { chat: 1, fromMe: false, member: 1, text: 'who is this', at: T0 + 180_000 },
        {
          chat: 0,
          fromMe: false,
          type: 3,
          at: T0 + 240_000,
          media: { path: 'Media/447700900123@s.whatsapp.net/a/b/PTT-1.opus', size: 3714 },
        },
      ],
    );
    const r = await ingestedInNewCase(tempDir(), file);
    expect(r.job.result).toMatchObject({
      format: 'whatsapp.ios',
      messages: 5,
      threads: 2,
      problems: 0,
    });
    const all = searchMessages(r.store.db, {});
    expect(
      all.map((m) => [m.threadTitle, m.direction, m.sender, m.senderName, m.sentAt, m.body]),
    ).toEqual([
      [
        null,
        'incoming',
        '+447700900123',
        'Dealer Dan',
        '2024-03-09T21:00:00.000Z',
        'Ștefan vine mâine',
      ],
      [null, 'outgoing', null, null, '2024-03-09T21:01:00.000Z', 'ok'],
      [
        'Drop 🚚',
        'incoming',
        '+447700900456',
        'Runner',
        '2024-03-09T21:02:00.000Z',
        'at the station',
      ],
      [
        'Drop 🚚',
        'incoming',
        '81234567890123@lid',
        null,
        '2024-03-09T21:03:00.000Z',
        'who is this',
      ],
      [null, 'incoming', '+447700900123', 'Dealer Dan', '2024-03-09T21:04:00.000Z', null],
    ]);
    expect(all[4]).toMatchObject({
      flags: ['message-type-3'],
      attachments: 1,
      source: { table: 'ZWAMESSAGE', rowId: 5 },
    });
    expect(r.store.db.prepare('SELECT name, size, path FROM attachments').all()).toEqual([
      { name: 'PTT-1.opus', size: 3714, path: 'Media/447700900123@s.whatsapp.net/a/b/PTT-1.opus' },
    ]);
    r.close();
  });

  const mvt = join(CORPUS, 'mobile', 'ios', 'mvt', 'whatsapp_ChatStorage.sqlite');
  it.skipIf(!existsSync(mvt))(
    'reads the corpus ChatStorage.sqlite (mvt test file): 3 messages, a one-to-one chat with an @lid and a group',
    async () => {
      const r = await ingestedInNewCase(tempDir(), mvt, 'US');
      expect(r.job.result).toMatchObject({
        format: 'whatsapp.ios',
        messages: 3,
        threads: 2,
        problems: 0,
      });
      const all = searchMessages(r.store.db, {});
      expect(all.map((m) => [m.threadTitle, m.direction, m.sender, m.sentAt, m.body])).toEqual([
        [null, 'incoming', '100000000000001@lid', '2025-08-27T15:06:40.000Z', 'Hi'],
        [null, 'outgoing', null, '2025-08-28T18:53:20.000Z', 'Check https://example.org/news'],
        ['Example Group', 'incoming', '+14155550101', '2025-08-29T22:40:00.000Z', 'Welcome'],
      ]);
      r.close();
    },
  );
});
