import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';

import { ftsQuery, searchMessages, contactSummary } from '../../../main/ingest/messageSearch.js';
import { androidSmsDb, type SmsFixture } from '../../helpers/androidSmsDb.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { CORPUS } from '../../helpers/models.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { useTempDirs } from '../../helpers/temp.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');
const DEALER = '07700 900123';
const RUNNER = '07700 900456';

/** Two threads: a dealer's orders (in Romanian, with diacritics) and a group of three. */
function extraction(dir: string, options: { wal?: boolean } = {}): string {
  return androidSmsDb(dir, {
    wal: options.wal,
    threads: [
      { id: 1, addresses: [DEALER] },
      { id: 2, addresses: [DEALER, RUNNER] },
    ],
    sms: [
      { thread: 1, address: DEALER, date: T0, type: 1, body: 'Ștefan vine mâine la gară' },
      { thread: 1, address: DEALER, date: T0 + 60_000, type: 2, body: 'ok, câte bucăți?' },
      { thread: 1, address: DEALER, date: T0 + 120_000, type: 1, body: 'zece 🙂 https://x.test/a' },
      { thread: 2, address: RUNNER, date: T0 + 86_400_000, type: 1, body: 'at the station now' },
      { thread: 2, address: RUNNER, date: 42, type: 3, body: 'draft never sent' },
      { thread: 9, address: RUNNER, date: T0 + 90_000_000, type: 1, body: 'thread row gone' },
    ],
    mms: [
      {
        thread: 2,
        from: DEALER,
        date: Math.floor(T0 / 1000) + 3600,
        box: 1,
        text: 'see photo',
        image: 'image000000.jpg',
      },
    ],
  });
}

describe('ingest job', () => {
  const tempDir = useTempDirs();

  const ingested = (file: string, region = 'GB') => ingestedInNewCase(tempDir(), file, region);

  it('reads an Android mmssms.db into threads, people and messages, each pointing back to its row', async () => {
    const r = await ingested(extraction(tempDir()));

    expect(r.job.state).toBe('done');
    expect(r.job.result).toMatchObject({
      format: 'android.mmssms',
      threads: 3,
      messages: 7,
      participants: 2,
      problems: 0,
    });
    const all = searchMessages(r.store.db, {});
    expect(all.map((m) => m.body)).toEqual([
      'Ștefan vine mâine la gară',
      'ok, câte bucăți?',
      'zece 🙂 https://x.test/a',
      'see photo',
      'at the station now',
      'thread row gone',
      'draft never sent',
    ]);
    const [first, second, , mms] = all;
    expect(first).toMatchObject({
      direction: 'incoming',
      sender: '+447700900123',
      sentAt: '2024-03-09T21:00:00.000Z',
      source: { file: 'mmssms.db', table: 'sms', rowId: 1 },
    });
    expect(second).toMatchObject({ direction: 'outgoing', sender: null });
    expect(mms).toMatchObject({
      sender: '+447700900123',
      sentAt: '2024-03-09T22:00:00.000Z',
      attachments: 1,
      source: { table: 'pdu', rowId: 1 },
    });
    expect(all.at(-1)).toMatchObject({ sentAt: null, flags: ['draft', 'time-out-of-range'] });
    r.close();
  });

  it('finds words whatever their accents or case, and filters by person, direction and day', async () => {
    const r = await ingested(extraction(tempDir()));
    const bodies = (filter: Parameters<typeof searchMessages>[1]) =>
      searchMessages(r.store.db, filter).map((m) => m.body);

    expect(bodies({ search: 'STEFAN maine' })).toEqual(['Ștefan vine mâine la gară']);
    expect(bodies({ search: 'bucati' })).toEqual(['ok, câte bucăți?']);
    expect(bodies({ search: 'stat*' })).toEqual(['at the station now']);
    expect(bodies({ search: '"); DROP TABLE messages; --' })).toEqual([]);
    // Phrases keep their words' order; OR gives alternatives; -word and NOT word leave out.
    expect(bodies({ search: '"vine maine"' })).toEqual(['Ștefan vine mâine la gară']);
    expect(bodies({ search: '"maine vine"' })).toEqual([]);
    expect(bodies({ search: 'gara OR station' })).toEqual([
      'Ștefan vine mâine la gară',
      'at the station now',
    ]);
    expect(bodies({ search: 'at -station' })).toEqual([]);
    expect(bodies({ search: 'now OR gone NOT thread' })).toEqual(['at the station now']);
    expect(bodies({ search: '"the stat"*' })).toEqual(['at the station now']);
    expect(bodies({ search: 'or station' })).toEqual([]);
    // Words left out are left out whichever alternative matched; AND says what a space does.
    expect(ftsQuery('a AND "b c" OR d -e* NOT "f g"')).toBe(
      '(("a" AND "b c") OR ("d")) NOT "e"* NOT "f g"',
    );
    expect(bodies({ search: 'gara OR station -vine' })).toEqual(['at the station now']);
    expect(bodies({ search: 'station AND now' })).toEqual(['at the station now']);
    expect(() => bodies({ search: '(gara OR station) now' })).toThrow(/brackets are not read/);
    expect(() => bodies({ search: 'station NOT' })).toThrow(/ends in NOT or -/);
    expect(bodies({ search: 'at - station' })).toEqual([]);
    expect(() => bodies({ search: Array(65).fill('word').join(' ') })).toThrow(
      'a search takes at most 64 words and phrases',
    );
    expect(() => bodies({ search: '-station' })).toThrow(/a word to find as well/);
    expect(() => bodies({ search: 'OR NOT ")(" *' })).toThrow(/at least one word/);
    expect(bodies({ participant: '+447700900456', direction: 'incoming' })).toEqual([
      'at the station now',
      'thread row gone',
    ]);
    expect(bodies({ from: '2024-03-10', to: '2024-03-10' })).toEqual([
      'at the station now',
      'thread row gone',
    ]);
    expect(() => bodies({ search: '   ' })).toThrow(/at least one word/);
    expect(() => bodies({ from: 'last tuesday' })).toThrow(/is not a date/);
    expect(() => bodies({ to: '2024-02-30' })).toThrow('--to "2024-02-30" is not a date');
    expect(() => bodies({ from: '2023-13-01' })).toThrow('--from "2023-13-01" is not a date');
    r.close();
  });

  it('sums up who talks to whom: messages each way, first and last', async () => {
    const r = await ingested(extraction(tempDir()));
    const people = contactSummary(r.store.db);
    expect(people.map((p) => [p.identifier, p.messagesFrom, p.messagesTo])).toEqual([
      ['+447700900123', 3, 1],
      ['+447700900456', 2, 0],
    ]);
    expect(people[0]).toMatchObject({
      first: '2024-03-09T21:00:00.000Z',
      evidenceIds: [r.item.id],
    });
    r.close();
  });

  it('adds nothing when the same item is ingested again', async () => {
    const r = await ingested(extraction(tempDir()));
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ messages: 7, threads: 3, participants: 2 });
    expect(searchMessages(r.store.db, { search: 'station' })).toHaveLength(1);
    r.close();
  });

  it('reads a WAL-mode database from a copy, leaving the evidence byte for byte as it was', async () => {
    const file = extraction(tempDir(), { wal: true });
    const r = await ingested(file);
    expect(r.job.result).toMatchObject({ messages: 7 });
    const stored = r.store.evidence.absolutePath(r.item);
    expect(createHash('sha256').update(readFileSync(stored)).digest('hex')).toBe(r.item.sha256);
    expect(readdirSync(join(stored, '..')).filter((f) => /-(wal|shm|journal)$/.test(f))).toEqual(
      [],
    );
    expect(existsSync(join(r.store.dir, 'work', r.job.id))).toBe(false);
    r.close();
  });

  it('resumes after its worker is killed mid-ingest, storing every message exactly once', async () => {
    const sms: SmsFixture[] = Array.from({ length: 20000 }, (_, i) => ({
      thread: 1 + (i % 7),
      address: `07700 9${String(i % 50).padStart(5, '0')}`,
      date: T0 + i * 1000,
      type: i % 3 === 0 ? 2 : 1,
      body: `message number ${i}`,
    }));
    const file = androidSmsDb(tempDir(), {
      threads: Array.from({ length: 7 }, (_, i) => ({
        id: i + 1,
        addresses: [`07700 9${String(i).padStart(5, '0')}`],
      })),
      sms,
    });
    let stored = () => 0;
    const host = killFirstWorkerWhen(() => stored() >= 500);
    const ctx = await workstationWithCase(tempDir());
    stored = () =>
      (ctx.store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const { item } = await ctx.store.importEvidence(file);

    const job = await ctx.store.runner(host).run(ctx.store.queueIngest(item.id).id);

    expect(job).toMatchObject({ state: 'done', attempts: 2, result: { messages: 20000 } });
    const distinct = ctx.store.db
      .prepare('SELECT count(DISTINCT body) AS n FROM messages')
      .get() as {
      n: number;
    };
    expect(distinct.n).toBe(20000);
    ctx.store.close();
    ctx.workstation.close();
  });

  it.each([
    [
      'a text file',
      (dir: string) => writeAndReturn(join(dir, 'notes.txt'), 'just some notes\n'),
      /not a format TOEX reads: a 16-byte file/,
    ],
    [
      'an empty file',
      (dir: string) => writeAndReturn(join(dir, 'empty.db'), ''),
      /not a format TOEX reads: an empty file/,
    ],
    [
      'a damaged SQLite file',
      (dir: string) => {
        const good = readFileSync(extraction(dir));
        const bad = Buffer.concat([good.subarray(0, 100), Buffer.alloc(4000, 0x5a)]);
        return writeAndReturn(join(dir, 'damaged.db'), bad);
      },
      /SQLite database (is not one|cannot be read)/,
    ],
    [
      'a SQLite database of another app',
      (dir: string) => {
        const path = androidSmsDb(dir, { threads: [], sms: [], name: 'other.db' });
        const db = new Database(path);
        db.exec('DROP TABLE sms; DROP TABLE threads;');
        db.close();
        return path;
      },
      /not a format TOEX reads: a SQLite database with tables android_metadata, canonical_addresses/,
    ],
  ])('fails %s with the reason, storing nothing', async (_what, make, reason) => {
    const r = await ingested(make(tempDir()));
    expect(r.job).toMatchObject({
      state: 'failed',
      error: { kind: 'bad-input', message: expect.stringMatching(reason) },
    });
    expect(searchMessages(r.store.db, {})).toEqual([]);
    r.close();
  });

  it('refuses an unknown country before queueing', async () => {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(extraction(tempDir()));
    expect(() => ctx.store.queueIngest(item.id, { region: 'XX' })).toThrow(/unknown country "XX"/);
    expect(ctx.store.jobs.list()).toEqual([]);
    ctx.store.close();
    ctx.workstation.close();
  });

  it('stores a body SQLite kept as bytes, or as bytes that are not UTF-8, flagged, and reads on', async () => {
    const file = extraction(tempDir());
    const db = new Database(file);
    db.prepare('UPDATE sms SET body = ? WHERE _id = 2').run(Buffer.from('ok, câte bucăți?'));
    db.exec(`UPDATE sms SET body = CAST(x'ff41' AS TEXT) WHERE _id = 3`);
    db.close();
    const r = await ingested(file);
    expect(r.job.state).toBe('done');
    const [, second, third] = searchMessages(r.store.db, {});
    expect(second).toMatchObject({ body: 'ok, câte bucăți?', flags: ['text-stored-as-blob'] });
    expect(third).toMatchObject({ body: '\uFFFDA', flags: ['invalid-utf8'] });
    r.close();
  });

  it("reads a database whose pages fail SQLite's own check, and says its rows may be wrong", async () => {
    const sms: SmsFixture[] = Array.from({ length: 3000 }, (_, i) => ({
      thread: 1,
      address: DEALER,
      date: T0 + i * 1000,
      type: 1,
      body: `message number ${i} `.repeat(4),
    }));
    const file = androidSmsDb(tempDir(), { threads: [{ id: 1, addresses: [DEALER] }], sms });
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 1000));
    const r = await ingested(file);
    expect(r.job.state).toBe('done');
    const problems = r.store.db.prepare('SELECT key, message FROM ingest_problems').all() as {
      key: string;
      message: string;
    }[];
    expect(problems[0]).toMatchObject({
      key: 'problem:integrity',
      message: expect.stringMatching(
        /^the database fails SQLite's integrity check \(.+\): rows read from it may be missing or wrong$/,
      ),
    });
    r.close();
  });

  it('reads nothing from a stored copy changed since it was imported', async () => {
    const ctx = await workstationWithCase(tempDir());
    const { item } = await ctx.store.importEvidence(extraction(tempDir()));
    const stored = ctx.store.evidence.absolutePath(item);
    chmodSync(stored, 0o644);
    const bytes = readFileSync(stored);
    bytes[bytes.indexOf('zece')] = 0x5a;
    writeFileSync(stored, bytes);
    const job = await ctx.store.runner().run(ctx.store.queueIngest(item.id).id);
    expect(job).toMatchObject({
      state: 'failed',
      error: {
        message: `the stored copy of item ${item.id} no longer matches the SHA-256 recorded when it was imported; nothing was read (see toex evidence verify)`,
      },
    });
    expect(ctx.store.db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 0 });
    ctx.store.close();
    ctx.workstation.close();
  });

  it('refuses to read an item again another way, which would list its people twice', async () => {
    const r = await ingested(extraction(tempDir()));
    expect(() => r.store.queueIngest(r.item.id, { region: 'US' })).toThrow(
      `item ${r.item.id} was ingested with --region GB; reading it again another way would mix two readings (give the same options)`,
    );
    expect(r.store.queueIngest(r.item.id, { region: 'gb' }).state).toBe('queued');
    r.close();
  });

  const plaso = join(CORPUS, 'mobile', 'android', 'plaso', 'mmssms.db');
  it.skipIf(!existsSync(plaso))(
    'reads the corpus Android 4 emulator database: 9 SMS in one thread (plaso test file)',
    async () => {
      // An American emulator: its numbers are read as US ones.
      const r = await ingested(plaso, 'US');
      expect(r.job.result).toMatchObject({ messages: 9, threads: 1, participants: 1 });
      const [first] = searchMessages(r.store.db, {});
      expect(first).toMatchObject({
        body: 'Yo Fred this is my new number.',
        direction: 'outgoing',
        sentAt: new Date(1383065788038).toISOString(),
      });
      expect(contactSummary(r.store.db)[0]!.identifier).toBe('+15555215554');
      r.close();
    },
  );

  const hickman = join(CORPUS, 'mobile', 'android', 'hickman_android10', 'mmssms.db');
  it.skipIf(!existsSync(hickman))(
    'reads the corpus Android 10 database: 27 SMS and 2 MMS with their photos',
    async () => {
      const r = await ingested(hickman);
      expect(r.job.result).toMatchObject({ messages: 29, problems: 0 });
      const withPhotos = searchMessages(r.store.db, {}).filter((m) => m.attachments > 0);
      expect(withPhotos.map((m) => m.source.table)).toEqual(['pdu', 'pdu']);
      r.close();
    },
  );
});

function writeAndReturn(path: string, content: string | Buffer): string {
  writeFileSync(path, content);
  return path;
}
