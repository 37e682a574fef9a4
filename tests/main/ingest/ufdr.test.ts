import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { contactSummary, searchMessages } from '../../../main/ingest/messageSearch.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { useTempDirs } from '../../helpers/temp.js';
import {
  ufdrReportXml,
  writeUfdrXml,
  writeUfdrZip,
  type UfdrReport,
} from '../../helpers/ufdrReport.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const OWNER = { id: '447700900001@s.whatsapp.net', name: 'Owner', owner: true };
const DEALER = { id: '447700900123@s.whatsapp.net', name: 'Dealer' };

const REPORT: UfdrReport = {
  chats: [
    {
      id: 'chat-1',
      name: 'Orders',
      participants: [OWNER, DEALER],
      messages: [
        { from: DEALER, body: 'Ștefan vine mâine', time: '2019-03-04T10:22:33.000+01:00' },
        { from: OWNER, body: 'câte bucăți?', time: '2019-03-04T10:23:00.000+01:00' },
        {
          from: DEALER,
          body: 'photo',
          time: '2019-03-04T11:00:00.000+01:00',
          deleted: true,
          attachments: [{ filename: 'a.jpg', contentType: 'image/jpeg', url: 'files/a.jpg' }],
        },
      ],
    },
  ],
  calls: [
    {
      parties: [OWNER, DEALER],
      type: 'Incoming',
      time: '2019-03-05T09:00:00Z',
      duration: '00:02:00',
    },
  ],
  contacts: [{ name: 'Dealer', entries: [{ kind: 'PhoneNumber', value: '07700 900123' }] }],
};

describe('ufdr ingest', () => {
  const tempDir = useTempDirs();

  const ingested = (file: string) => ingestedInNewCase(tempDir(), file);

  it('reads a UFDR zip into a case: messages with their offsets, deleted flag and XML paths', async () => {
    const r = await ingested(writeUfdrZip(tempDir(), REPORT, { files: { 'files/a.jpg': 'jpeg' } }));
    expect(r.job.state).toBe('done');
    expect(r.job.result).toMatchObject({
      format: 'cellebrite.ufdr',
      threads: 1,
      messages: 3,
      participants: 2,
      calls: 1,
      contacts: 1,
      problems: 0,
    });
    const all = searchMessages(r.store.db, {});
    expect(
      all.map((m) => [m.body, m.direction, m.sender, m.sentAt, m.utcOffsetMinutes, m.deleted]),
    ).toEqual([
      ['Ștefan vine mâine', 'incoming', '+447700900123', '2019-03-04T09:22:33.000Z', 60, false],
      ['câte bucăți?', 'outgoing', null, '2019-03-04T09:23:00.000Z', 60, false],
      ['photo', 'incoming', '+447700900123', '2019-03-04T10:00:00.000Z', 60, true],
    ]);
    expect(all[2]).toMatchObject({ service: 'whatsapp', threadTitle: 'Orders', attachments: 1 });
    expect(all[0]!.source).toMatchObject({
      file: 'extraction.ufdr!/report.xml',
      xmlPath: expect.stringMatching(
        /^\/project\/decodedData\/modelType\[@type='Chat'\]\/model\[@id='chat-1'\]\/multiModelField\[@name='Messages'\]\/model\[@id='[^']+'\]$/,
      ),
    });
    const path = r.store.db.prepare('SELECT path FROM attachments').get() as { path: string };
    expect(path.path).toBe('files/a.jpg');
    expect(searchMessages(r.store.db, { search: 'stefan bucati' })).toEqual([]);
    expect(searchMessages(r.store.db, { search: 'bucati' }).map((m) => m.body)).toEqual([
      'câte bucăți?',
    ]);
    expect(contactSummary(r.store.db).map((p) => [p.identifier, p.messagesFrom])).toContainEqual([
      '+447700900123',
      2,
    ]);
    r.close();
  });

  it('reads SMS, MMS and Email models: threads by the people in them, folders as direction, subjects kept', async () => {
    const owner = { id: '+447700900001', name: 'Owner', owner: true };
    const dealer = { id: '07700 900123', name: 'Dealer' };
    const runner = { id: '+447700900456' };
    const r = await ingested(
      writeUfdrZip(
        tempDir(),
        {
          texts: [
            {
              type: 'SMS',
              folder: 'Inbox',
              from: dealer,
              to: [owner],
              body: 'ready?',
              time: '2019-03-04T10:00:00.000+00:00',
            },
            {
              type: 'SMS',
              folder: 'Sent',
              from: owner,
              to: [dealer],
              body: 'yes',
              time: '2019-03-04T10:01:00.000+00:00',
            },
            {
              type: 'SMS',
              folder: 'Draft',
              from: owner,
              to: [runner],
              body: 'not sent',
              time: '2019-03-04T10:02:00.000+00:00',
              deleted: true,
            },
            {
              type: 'MMS',
              folder: 'Inbox',
              from: dealer,
              to: [owner, runner],
              subject: 'pic',
              time: '2019-03-04T10:03:00.000+00:00',
              attachments: [{ filename: 'a.jpg', contentType: 'image/jpeg', url: 'files/a.jpg' }],
            },
            {
              type: 'Email',
              source: 'Gmail',
              folder: 'Inbox',
              from: { id: 'Dealer@Example.test', name: 'Dealer' },
              to: [{ id: 'owner@example.test', owner: true }],
              subject: 'Re: the order',
              body: 'same again',
              time: '2019-03-05T09:00:00.000+01:00',
            },
            {
              type: 'Email',
              source: 'Gmail',
              folder: 'Sent',
              from: { id: 'owner@example.test', owner: true },
              to: [{ id: 'dealer@example.test' }],
              cc: [{ id: 'runner@example.test' }],
              subject: 'the order',
              body: 'how many',
              time: '2019-03-05T08:00:00.000+01:00',
            },
          ],
        },
        { files: { 'files/a.jpg': 'jpeg' } },
      ),
    );
    expect(r.job.result).toMatchObject({ messages: 6, threads: 4, problems: 0 });
    const rows = searchMessages(r.store.db, {});
    expect(
      rows.map((m) => [
        m.service,
        m.direction,
        m.sender,
        m.sentAt,
        m.body,
        m.deleted,
        m.flags,
        m.attachments,
      ]),
    ).toEqual([
      ['sms', 'incoming', '+447700900123', '2019-03-04T10:00:00.000Z', 'ready?', false, [], 0],
      ['sms', 'outgoing', null, '2019-03-04T10:01:00.000Z', 'yes', false, [], 0],
      ['sms', 'outgoing', null, '2019-03-04T10:02:00.000Z', 'not sent', true, ['draft'], 0],
      ['mms', 'incoming', '+447700900123', '2019-03-04T10:03:00.000Z', 'pic', false, [], 1],
      [
        'email',
        'outgoing',
        null,
        '2019-03-05T07:00:00.000Z',
        'the order\n\nhow many',
        false,
        [],
        0,
      ],
      [
        'email',
        'incoming',
        'dealer@example.test',
        '2019-03-05T08:00:00.000Z',
        'Re: the order\n\nsame again',
        false,
        [],
        0,
      ],
    ]);
    // The SMS each way share a thread; the group MMS has its own; the emails share their subject's.
    const [inbox, sent, draft, mms, emailOut, emailIn] = rows;
    expect(sent!.threadId).toBe(inbox!.threadId);
    expect(new Set([inbox!.threadId, draft!.threadId, mms!.threadId]).size).toBe(3);
    expect(emailIn!.threadId).toBe(emailOut!.threadId);
    expect(emailIn!.threadTitle).toBe('Re: the order');
    expect(emailIn!.source.xmlPath).toMatch(
      /^\/project\/decodedData\/modelType\[@type='Email'\]\/model\[@id='[\w-]+'\]$/,
    );
    expect(
      searchMessages(r.store.db, { search: 'order', participant: 'dealer@example.test' }),
    ).toHaveLength(1);
    r.close();
  });

  it('adds nothing when the same UFDR is ingested again', async () => {
    const r = await ingested(writeUfdrZip(tempDir(), REPORT));
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ messages: 3, threads: 1, calls: 1, contacts: 1 });
    r.close();
  });

  it('keeps the messages of a truncated report.xml and records the truncation as a problem', async () => {
    const xml = ufdrReportXml(REPORT);
    const cut = xml.slice(0, xml.indexOf('photo') - 300);
    const r = await ingested(writeUfdrXml(tempDir(), cut));
    expect(r.job).toMatchObject({ state: 'done', result: { messages: 2, problems: 1 } });
    const problem = r.store.db.prepare('SELECT message, source FROM ingest_problems').get() as {
      message: string;
      source: string;
    };
    expect(problem.message).toMatch(/\(truncated\): everything read before it is kept/);
    expect(JSON.parse(problem.source)).toMatchObject({ file: 'report.xml' });
    r.close();
  });

  it('fails a report.xml with a DOCTYPE as bad input, storing nothing', async () => {
    const xml = ufdrReportXml(REPORT).replace(
      '<project',
      '<!DOCTYPE project [<!ENTITY x "x">]>\n<project',
    );
    const r = await ingested(writeUfdrXml(tempDir(), xml));
    expect(r.job).toMatchObject({
      state: 'failed',
      error: { kind: 'bad-input', message: expect.stringMatching(/refuses DTDs/) },
    });
    expect(searchMessages(r.store.db, {})).toEqual([]);
    r.close();
  });

  it('resumes after its worker is killed mid-ingest, storing every message exactly once', async () => {
    const people = Array.from({ length: 20 }, (_, i) => ({
      id: `+4477009${String(i).padStart(5, '0')}`,
    }));
    const report: UfdrReport = {
      chats: Array.from({ length: 3 }, (_, c) => ({
        participants: [OWNER, ...people],
        messages: Array.from({ length: 7000 }, (_, i) => ({
          from: i % 4 === 0 ? OWNER : people[i % 20],
          body: `chat ${c} message ${i}`,
          time: `2019-03-04T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000+01:00`,
        })),
      })),
    };
    const file = writeUfdrZip(tempDir(), report);
    let stored = () => 0;
    const host = killFirstWorkerWhen(() => stored() >= 500);
    const ctx = await workstationWithCase(tempDir());
    stored = () =>
      (ctx.store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const { item } = await ctx.store.importEvidence(file);

    const job = await ctx.store.runner(host).run(ctx.store.queueIngest(item.id).id);

    expect(job).toMatchObject({
      state: 'done',
      attempts: 2,
      result: { messages: 21000, threads: 3 },
    });
    const distinct = ctx.store.db
      .prepare('SELECT count(DISTINCT body) AS n FROM messages')
      .get() as {
      n: number;
    };
    expect(distinct.n).toBe(21000);
    ctx.store.close();
    ctx.workstation.close();
  });

  const corpus = join(CORPUS, 'mobile', 'cellebrite_ufdr', 'iped_ufed-model-chat.xml');
  it.skipIf(!existsSync(corpus))(
    'reads the corpus chat (IPED ufed-model-chat.xml) zipped as a UFDR: 11 messages, 6 people',
    async () => {
      const fragment = readFileSync(corpus, 'utf8');
      const xml = ufdrReportXml({ extra: `<modelType type="Chat">${fragment}</modelType>` });
      const r = await ingested(writeUfdrZip(tempDir(), xml));
      expect(r.job.result).toMatchObject({
        threads: 1,
        messages: 11,
        participants: 6,
        problems: 0,
      });
      const all = searchMessages(r.store.db, {});
      expect(all.filter((m) => m.attachments > 0)).toHaveLength(6);
      expect(searchMessages(r.store.db, { search: 'obrigado' })).toMatchObject([
        { direction: 'outgoing', sentAt: '2023-10-11T01:39:05.000Z', utcOffsetMinutes: 0 },
      ]);
      r.close();
    },
  );
});
