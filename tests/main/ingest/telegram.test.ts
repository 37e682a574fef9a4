import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { contactSummary, searchMessages } from '../../../main/ingest/messageSearch.js';
import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { useTempDirs } from '../../helpers/temp.js';

/** A whole-account export as Telegram Desktop writes result.json, two chats in it. */
function accountExport(dir: string): string {
  const path = join(dir, 'result.json');
  const at = (iso: string) => ({
    date: iso.slice(0, 19),
    date_unixtime: String(Date.parse(iso) / 1000),
  });
  writeFileSync(
    path,
    JSON.stringify(
      {
        about: 'Here is the data you requested.',
        chats: {
          about: 'This page lists all chats from this export.',
          list: [
            {
              name: 'Kai',
              type: 'personal_chat',
              id: 4_000_001,
              messages: [
                {
                  id: 10,
                  type: 'message',
                  ...at('2024-03-09T21:00:00Z'),
                  from: 'Kai',
                  from_id: 'user4000001',
                  text: 'same place?',
                },
                {
                  id: 11,
                  type: 'message',
                  ...at('2024-03-09T21:01:00Z'),
                  from: 'Dan',
                  from_id: 'user100',
                  text: [
                    { type: 'bold', text: 'yes' },
                    ' at ',
                    { type: 'link', text: 'https://x.test/map' },
                  ],
                  reply_to_message_id: 10,
                },
                {
                  id: 12,
                  type: 'service',
                  ...at('2024-03-09T21:05:00Z'),
                  actor: 'Kai',
                  actor_id: 'user4000001',
                  action: 'phone_call',
                  duration_seconds: 56,
                  discard_reason: 'hangup',
                  text: '',
                },
                {
                  id: 13,
                  type: 'message',
                  ...at('2024-03-09T21:06:00Z'),
                  from: 'Kai',
                  from_id: 'user4000001',
                  file: 'voice_messages/audio_1@09-03-2024_21-06-00.ogg',
                  media_type: 'voice_message',
                  mime_type: 'audio/ogg',
                  duration_seconds: 4,
                  text: '',
                },
              ],
            },
            {
              name: 'Drop 🚚',
              type: 'private_group',
              id: 4_000_002,
              messages: [
                {
                  id: 1,
                  type: 'message',
                  ...at('2024-03-10T08:00:00Z'),
                  from: 'Runner',
                  from_id: 'user4000003',
                  text: 'Ștefan vine',
                },
              ],
            },
          ],
        },
      },
      null,
      1,
    ),
  );
  return path;
}

describe('Telegram Desktop export', () => {
  const tempDir = useTempDirs();

  it('reads every chat of an account export: senders by Telegram id, replies, calls, voice messages', async () => {
    const r = await ingestedInNewCase(tempDir(), accountExport(tempDir()), 'GB', {
      ownerName: 'Dan',
    });
    expect(r.job.result).toMatchObject({
      format: 'telegram.desktop-json',
      threads: 2,
      messages: 5,
      calls: 1,
      participants: 2,
      problems: 0,
    });
    const all = searchMessages(r.store.db, {});
    expect(
      all.map((m) => [
        m.service,
        m.threadTitle,
        m.direction,
        m.sender,
        m.senderName,
        m.sentAt,
        m.body,
      ]),
    ).toEqual([
      [
        'telegram',
        'Kai',
        'incoming',
        'telegram:user4000001',
        'Kai',
        '2024-03-09T21:00:00.000Z',
        'same place?',
      ],
      [
        'telegram',
        'Kai',
        'outgoing',
        null,
        null,
        '2024-03-09T21:01:00.000Z',
        'yes at https://x.test/map',
      ],
      [
        'telegram',
        'Kai',
        'unknown',
        'telegram:user4000001',
        'Kai',
        '2024-03-09T21:05:00.000Z',
        null,
      ],
      [
        'telegram',
        'Kai',
        'incoming',
        'telegram:user4000001',
        'Kai',
        '2024-03-09T21:06:00.000Z',
        null,
      ],
      [
        'telegram',
        'Drop 🚚',
        'incoming',
        'telegram:user4000003',
        'Runner',
        '2024-03-10T08:00:00.000Z',
        'Ștefan vine',
      ],
    ]);
    expect(all[1]!.quote).toEqual({ messageId: all[0]!.id, text: null });
    expect(all[2]!.flags).toEqual(['system', 'system-action-phone_call']);
    expect(all[4]!.source).toEqual({ file: 'result.json', jsonPath: '/chats/list/1/messages/0' });
    expect(r.store.db.prepare('SELECT name, mime, path FROM attachments').all()).toEqual([
      {
        name: 'audio_1@09-03-2024_21-06-00.ogg',
        mime: 'audio/ogg',
        path: 'voice_messages/audio_1@09-03-2024_21-06-00.ogg',
      },
    ]);
    expect(
      contactSummary(r.store.db).find((c) => c.identifier === 'telegram:user4000001'),
    ).toMatchObject({
      calls: 1,
    });
    r.close();
  });

  const corpus = (name: string) => join(CORPUS, 'mobile', 'telegram', name);
  it.skipIf(!existsSync(corpus('chat_analytics_telegram_desktop_DM_2A_7M.json')))(
    "reads the corpus exports: chat-analytics' two-person chat and chat-miner's single export",
    async () => {
      const dm = await ingestedInNewCase(
        tempDir(),
        corpus('chat_analytics_telegram_desktop_DM_2A_7M.json'),
      );
      expect(dm.job.result).toMatchObject({ messages: 8, calls: 1, participants: 2, problems: 0 });
      const rows = searchMessages(dm.store.db, {});
      expect(rows.map((m) => [m.senderName, m.body, m.flags])).toEqual([
        ['Bob', null, ['system', 'system-action-joined_telegram', 'local-time-unknown-zone']],
        ['Bob', 'https://google.com 👀', ['local-time-unknown-zone']],
        ['Alice', 'hello world', ['local-time-unknown-zone']],
        ['Bob', 'world?', []],
        ['Alice', 'blah blah', []],
        ['Alice', null, []],
        ['Alice', null, []],
        ['Alice', null, ['system', 'system-action-phone_call']],
      ]);
      // Photos the export left out are named by the note it wrote instead of a path: none to find.
      expect(
        dm.store.db.prepare('SELECT count(*) AS n FROM attachments WHERE path IS NULL').get(),
      ).toEqual({ n: 2 });
      dm.close();

      const single = await ingestedInNewCase(
        tempDir(),
        corpus('chat_miner_telegram_single_export.json'),
      );
      expect(
        searchMessages(single.store.db, {}).map((m) => [m.senderName, m.sentAt, m.body]),
      ).toEqual([
        ['Author 1', '2018-12-05T10:39:10.000Z', 'Minimal Message'],
        // The entities are joined as Telegram shows them: no space was written between them.
        ['Author 2', '2018-12-05T10:49:24.000Z', 'Link:https://telegram.org/'],
      ]);
      single.close();
    },
  );
});
