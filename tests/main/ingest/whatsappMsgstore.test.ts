import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { contactSummary, searchMessages } from '../../../main/ingest/messageSearch.js';
import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { useTempDirs } from '../../helpers/temp.js';
import { waContactsDb, whatsappMsgstoreDb } from '../../helpers/whatsappMsgstoreDb.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');
const DEALER = '447700900123@s.whatsapp.net';
const RUNNER = '447700900456@s.whatsapp.net';
const GROUP = '120363012345678901@g.us';

describe('ingest of WhatsApp on Android', () => {
  const tempDir = useTempDirs();

  const ingested = (file: string, region = 'GB') => ingestedInNewCase(tempDir(), file, region);

  function extraction(dir: string) {
    return whatsappMsgstoreDb(dir, {
      schema: 'modern',
      chats: [{ jid: DEALER }, { jid: GROUP, subject: 'Drop' }],
      members: [[GROUP, RUNNER]],
      messages: [
        { chat: DEALER, fromMe: false, text: 'Ștefan vine mâine la gară', timestamp: T0 },
        { chat: DEALER, fromMe: true, text: 'câte bucăți?', timestamp: T0 + 60_000 },
        { chat: DEALER, fromMe: false, type: 15, revoked: true, timestamp: T0 + 90_000 },
        { chat: GROUP, fromMe: false, sender: RUNNER, type: 7, action: 12, timestamp: T0 },
        { chat: GROUP, fromMe: false, sender: RUNNER, text: 'at the station', timestamp: T0 + 1 },
        {
          chat: GROUP,
          fromMe: false,
          sender: RUNNER,
          type: 2,
          timestamp: T0 + 2,
          media: { mime: 'audio/ogg; codecs=opus', size: 3714, path: 'Media/PTT-1.opus' },
        },
      ],
    });
  }

  it('reads a msgstore.db into chats, people and messages a reviewer can search, once however often it is ingested', async () => {
    const r = await ingested(extraction(tempDir()));
    expect(r.job.state).toBe('done');
    expect(r.job.result).toMatchObject({
      format: 'whatsapp.msgstore',
      threads: 2,
      messages: 6,
      participants: 2,
      problems: 0,
    });

    expect(searchMessages(r.store.db, { search: 'stefan GARA' })).toMatchObject([
      {
        service: 'whatsapp',
        direction: 'incoming',
        sender: '+447700900123',
        sentAt: '2024-03-09T21:00:00.000Z',
        source: { file: 'msgstore.db', table: 'message', rowId: 2 },
      },
    ]);
    const group = searchMessages(r.store.db, { participant: '+447700900456' });
    expect(group.map((m) => [m.threadTitle, m.direction, m.flags, m.attachments])).toEqual([
      ['Drop', 'unknown', ['system', 'system-action-12'], 0],
      ['Drop', 'incoming', [], 0],
      ['Drop', 'incoming', [], 1],
    ]);
    expect(searchMessages(r.store.db, {}).filter((m) => m.deleted)).toMatchObject([
      { flags: ['revoked'], source: { rowId: 4 } },
    ]);
    expect(contactSummary(r.store.db).map((p) => [p.identifier, p.messagesFrom])).toEqual([
      ['+447700900123', 2],
      ['+447700900456', 3],
    ]);

    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ messages: 6, threads: 2, participants: 2 });
    r.close();
  });

  it('reads wa.db as the contacts it names', async () => {
    const r = await ingested(
      waContactsDb(tempDir(), [{ jid: DEALER, displayName: 'Dealer Dan', number: '07700900123' }]),
    );
    expect(r.job.result).toMatchObject({ format: 'whatsapp.wa', contacts: 1, messages: 0 });
    const row = r.store.db.prepare('SELECT name, identifiers FROM contacts').get();
    expect(row).toEqual({ name: 'Dealer Dan', identifiers: '["+447700900123"]' });
    r.close();
  });

  it('gives each sender the name wa.db saves their number under, beside the number', async () => {
    const r = await ingested(extraction(tempDir()));
    const { item } = await r.store.importEvidence(
      waContactsDb(tempDir(), [{ jid: DEALER, displayName: 'Dealer Dan', number: '07700900123' }]),
    );
    await r.store.runner().run(r.store.queueIngest(item.id).id);
    // The saved name finds the sender too.
    expect(
      new Set(searchMessages(r.store.db, { participant: 'Dealer Dan' }).map((m) => m.sender)),
    ).toEqual(new Set(['+447700900123']));
    const senders = searchMessages(r.store.db, { direction: 'incoming' }).map((m) => [
      m.sender,
      m.senderName,
      m.savedName,
    ]);
    expect(new Set(senders.map((s) => JSON.stringify(s)))).toEqual(
      new Set([
        JSON.stringify(['+447700900123', null, 'Dealer Dan']),
        JSON.stringify(['+447700900456', null, null]),
      ]),
    );
    r.close();
  });

  const corpus = (...path: string[]) => join(CORPUS, 'mobile', 'android', 'whatsapp', ...path);
  const ersimon = corpus('ersimon_msgstore_2021_italian_deleted_records.db');
  it.skipIf(!existsSync(ersimon))(
    'reads the corpus 2021 Italian database from its legacy table: 19 messages, 7 of them status updates',
    async () => {
      // Its deleted records sit in free pages, which are not read: 19 is what the tables hold.
      const r = await ingested(ersimon, 'IT');
      expect(r.job.result).toMatchObject({ messages: 19, threads: 3, problems: 0 });
      const all = searchMessages(r.store.db, {});
      expect(all.filter((m) => m.flags.includes('system'))).toHaveLength(2);
      expect(searchMessages(r.store.db, { search: 'stai' }).map((m) => m.body)).toEqual([
        'come stai?',
      ]);
      const card = all.find((m) => m.flags.includes('contact-card'))!;
      expect(card.body).toMatch(/^BEGIN:VCARD\nVERSION:3.0\nN:Tesi;Tizio Caio/);
      const voice = r.store.db
        .prepare(`SELECT mime, size, path FROM attachments WHERE mime LIKE 'audio/%'`)
        .all();
      expect(voice).toEqual([
        {
          mime: 'audio/ogg; codecs=opus',
          size: 3714,
          path: 'Media/WhatsApp Voice Notes/202101/PTT-20211227-WA0002.opus',
        },
      ]);
      expect(
        contactSummary(r.store.db)
          .map((p) => p.identifier)
          .sort(),
      ).toEqual(['+393403536191', '+393482606211', '0@s.whatsapp.net']);
      r.close();
    },
  );

  it('shows a reply with the message it quotes, found in the case by its key', async () => {
    const r = await ingested(
      whatsappMsgstoreDb(tempDir(), {
        schema: 'modern',
        chats: [{ jid: DEALER }],
        messages: [
          { chat: DEALER, fromMe: false, text: 'how many', timestamp: T0 },
          {
            chat: DEALER,
            fromMe: true,
            text: 'ten',
            timestamp: T0 + 1,
            quote: { of: 0, text: 'how many' },
          },
        ],
      }),
    );
    const [asked, reply] = searchMessages(r.store.db, {});
    expect(asked!.quote).toBeNull();
    expect(reply!.quote).toEqual({ messageId: asked!.id, text: 'how many' });
    // The quoted copy is not the reply's own text: a search for it finds the original only.
    expect(searchMessages(r.store.db, { search: 'how many' }).map((m) => m.id)).toEqual([
      asked!.id,
    ]);
    r.close();
  });

  const webviewer = corpus('webviewer_sample_msgstore_simplified_new_schema.db');
  it.skipIf(!existsSync(webviewer))(
    'reads the corpus simplified new-schema database: 9 messages in 3 chats, one a group',
    async () => {
      const r = await ingested(webviewer, 'US');
      expect(r.job.result).toMatchObject({ messages: 9, threads: 3, problems: 0 });
      const all = searchMessages(r.store.db, {});
      expect(all.find((m) => m.body === 'It was a tie 😅')).toMatchObject({
        direction: 'outgoing',
        sentAt: new Date(1715595100000).toISOString(),
      });
      // This reduced schema has no sender column: who wrote in the group is not known.
      const group = all.filter((m) => m.threadTitle === 'Family Group 🏠');
      expect(group.map((m) => [m.direction, m.sender, m.flags])).toEqual([
        ['incoming', null, ['sender-unknown']],
        ['outgoing', null, []],
        ['incoming', null, ['sender-unknown']],
      ]);
      // Its one quoted reply keeps the text WhatsApp copied; this schema names no quoted message.
      expect(all.filter((m) => m.quote !== null).map((m) => [m.source.rowId, m.quote])).toEqual([
        [9, { messageId: null, text: 'I can pick it up on my way home.' }],
      ]);
      r.close();
    },
  );

  const empty = corpus('empty_msgstore_219_tables.db');
  it.skipIf(!existsSync(empty))(
    'reads the corpus empty recent database as WhatsApp with nothing in it',
    async () => {
      const r = await ingested(empty);
      expect(r.job).toMatchObject({ state: 'done', result: { format: 'whatsapp.msgstore' } });
      expect(r.job.result).toMatchObject({ messages: 0, threads: 0, problems: 0 });
      r.close();
    },
  );
});
