import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';

import { searchMessages } from '../../../main/ingest/messageSearch.js';
import { androidSmsDb, type SmsFixture } from '../../helpers/androidSmsDb.js';
import {
  claimTarSize,
  itunesBackupTree,
  tarBytes,
  writeAdbBackup,
  writeFsTar,
  withPendingWal,
  writeFsZip,
  type Tree,
} from '../../helpers/fsArchive.js';
import { ingestedInNewCase } from '../../helpers/ingest.js';
import { iosSmsDb, appleNs } from '../../helpers/iosSmsDb.js';
import { killFirstWorkerWhen } from '../../helpers/killingHost.js';
import { CORPUS } from '../../helpers/models.js';
import { useTempDirs } from '../../helpers/temp.js';
import { claimUncompressedSize, markEncrypted } from '../../helpers/ufdrReport.js';
import { whatsappMsgstoreDb } from '../../helpers/whatsappMsgstoreDb.js';
import { workstationWithCase } from '../../helpers/workstation.js';

const T0 = Date.parse('2024-03-09T21:00:00.000Z');
const DEALER = '07700 900123';
const MMSSMS = 'data/data/com.android.providers.telephony/databases/mmssms.db';
const MSGSTORE = 'data/data/com.whatsapp/databases/msgstore.db';
const HIDDEN = 'sdcard/Download/.cache/x91.bin';

function smsDb(dir: string, bodies: string[], name = 'mmssms.db') {
  mkdirSync(dir, { recursive: true });
  return androidSmsDb(dir, {
    name,
    threads: [{ id: 1, addresses: [DEALER] }],
    sms: bodies.map((body, i) => ({ thread: 1, address: DEALER, date: T0 + i, type: 1, body })),
  });
}

function waDb(dir: string) {
  mkdirSync(dir, { recursive: true });
  return whatsappMsgstoreDb(dir, {
    schema: 'modern',
    chats: [{ jid: '447700900123@s.whatsapp.net' }],
    messages: [
      { chat: '447700900123@s.whatsapp.net', fromMe: false, text: 'la gară', timestamp: T0 },
    ],
  });
}

/** Another app's database: SQLite, but no format's tables. */
function otherDb(dir: string) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'other.db');
  const db = new Database(path);
  db.exec(`CREATE TABLE prefs (k TEXT, v TEXT); INSERT INTO prefs VALUES ('theme', 'dark');`);
  db.close();
  return path;
}

/**
 * An Android phone's files: SMS and WhatsApp at their known paths, a second
 * SMS database hidden under a name no path rule knows, another app's SQLite
 * file and a picture.
 */
function androidTree(dir: string): Tree {
  return {
    'data/system/packages.xml': Buffer.from('<packages/>'),
    [MMSSMS]: smsDb(join(dir, 'a'), ['Ștefan vine mâine la gară', 'ok, câte bucăți?']),
    [MSGSTORE]: waDb(join(dir, 'b')),
    [HIDDEN]: smsDb(join(dir, 'c'), ['hidden copy']),
    'data/data/com.example.notes/databases/notes.db': otherDb(join(dir, 'd')),
    'sdcard/DCIM/Camera/IMG_0001.jpg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
  };
}

const problems = (db: Database.Database | { prepare: Database.Database['prepare'] }) =>
  db.prepare('SELECT key, message, source FROM ingest_problems ORDER BY id').all() as {
    key: string;
    message: string;
    source: string;
  }[];

describe('ingest of a phone file system archive', () => {
  const tempDir = useTempDirs();
  const ingested = (file: string, region = 'GB') => ingestedInNewCase(tempDir(), file, region);

  it.each([
    ['a zip', (dir: string, tree: Tree) => writeFsZip(dir, tree, 'phone.bin')],
    ['a tar', (dir: string, tree: Tree) => writeFsTar(dir, tree, { name: 'phone.bin' })],
    [
      'a gzip-compressed tar',
      (dir: string, tree: Tree) => writeFsTar(dir, tree, { gzip: true, name: 'phone.bin' }),
    ],
  ])(
    'finds databases in %s by path and by content, ignoring other SQLite files, each record pointing to its inner path',
    async (_what, write) => {
      const dir = tempDir();
      const r = await ingested(write(dir, androidTree(dir)));
      expect(r.job.state).toBe('done');
      expect(r.job.result).toMatchObject({
        format: 'archive.fs',
        formatLabel: 'Phone file system or iOS backup (zip or tar)',
        messages: 4,
        threads: 3,
        participants: 3,
      });
      const all = searchMessages(r.store.db, {});
      expect(all.map((m) => [m.body, m.source.file, m.source.table])).toEqual([
        ['Ștefan vine mâine la gară', MMSSMS, 'sms'],
        ['la gară', MSGSTORE, 'message'],
        ['hidden copy', HIDDEN, 'sms'],
        ['ok, câte bucăți?', MMSSMS, 'sms'],
      ]);
      expect(problems(r.store.db).map((p) => [p.key, p.message])).toEqual([
        [
          `${MMSSMS}#read`,
          'read as Android SMS/MMS (mmssms.db) (android.mmssms): 1 participant, 1 thread, 2 messages',
        ],
        [
          `${MSGSTORE}#read`,
          expect.stringMatching(
            /^read as WhatsApp on Android \(msgstore\.db\) \(whatsapp\.msgstore\): .*1 message/,
          ),
        ],
        [
          `${HIDDEN}#read`,
          'read as Android SMS/MMS (mmssms.db) (android.mmssms): 1 participant, 1 thread, 1 message',
        ],
        [
          'phone.bin#summary',
          '6 files looked at; 3 read; 1 other SQLite databases match no format TOEX reads',
        ],
      ]);
      const keys = r.store.db.prepare('SELECT key FROM threads ORDER BY key').all() as {
        key: string;
      }[];
      expect(keys.map((k) => k.key.split('#')[0])).toEqual([MMSSMS, MSGSTORE, HIDDEN]);
      expect(keys[0]!.key).toBe(`${MMSSMS}#thread:1`);
      r.close();
    },
  );

  it('adds nothing when the same archive is ingested again', async () => {
    const dir = tempDir();
    const r = await ingested(writeFsTar(dir, androidTree(dir), { gzip: true }));
    const first = r.job.result;
    const again = await r.store.runner().run(r.store.queueIngest(r.item.id).id);
    expect(again.result).toMatchObject({ messages: 4, threads: 3, participants: 3 });
    expect(again.result).toEqual({ ...(first as object) });
    r.close();
  });

  it('reads names past 100 bytes in GNU long-name and pax headers alike', async () => {
    const dir = tempDir();
    const deep = `${'data/media/0/Android/data/com.example.backup/files/'.repeat(3)}mmssms.db`;
    for (const longNames of ['gnu', 'pax'] as const) {
      const tree = { [deep]: smsDb(join(dir, longNames), ['deep in the tree']) };
      const r = await ingested(writeFsTar(dir, tree, { longNames, name: `${longNames}.tar` }));
      expect(searchMessages(r.store.db, {}).map((m) => [m.body, m.source.file])).toEqual([
        ['deep in the tree', deep],
      ]);
      r.close();
    }
  });

  it('refuses path traversal, zip bombs and encrypted entries as problems, reading everything else', async () => {
    const dir = tempDir();
    const tree = {
      ...androidTree(dir),
      '../../etc/cron.d/evil': Buffer.from('* * * * * root rm -rf /'),
      'data/data/com.whatsapp/databases/wa.db': Buffer.from('\x8e\x11not a database at all'),
      'data/data/com.android.providers.telephony/databases/bomb.db': Buffer.alloc(4 << 20),
    };
    let zip: Buffer = readFileSync(writeFsZip(dir, tree, 'raw.zip'));
    zip = claimUncompressedSize(
      zip,
      'data/data/com.android.providers.telephony/databases/bomb.db',
      0xfff00000,
    );
    zip = markEncrypted(zip, MSGSTORE);
    const path = join(dir, 'hostile.zip');
    writeFileSync(path, zip);

    const r = await ingested(path);
    expect(r.job.state).toBe('done');
    expect(r.job.result).toMatchObject({ messages: 3 });
    const refused = problems(r.store.db).filter((p) => p.key.endsWith('#refused'));
    expect(refused.map((p) => [p.key, p.message])).toEqual([
      [`${MSGSTORE}#refused`, 'not read: it is encrypted'],
      ['../../etc/cron.d/evil#refused', 'not read: its name climbs out of the archive (..)'],
      [
        'data/data/com.android.providers.telephony/databases/bomb.db#refused',
        expect.stringMatching(
          /^not read: it claims to unpack \d+ times its packed size: a zip bomb$/,
        ),
      ],
    ]);
    expect(problems(r.store.db).find((p) => p.key.endsWith('wa.db#unmatched'))?.message).toBe(
      "not read: a database's path, but a 24-byte file starting c28e116e, of no format TOEX reads (encrypted or damaged?)",
    );
    expect(existsSync(join(dir, '..', 'etc', 'cron.d', 'evil'))).toBe(false);
    r.close();
  });

  it('reports an entry whose inflated bytes outrun its declared size, and goes on', async () => {
    const dir = tempDir();
    const tree = { ...androidTree(dir) };
    let zip: Buffer = readFileSync(writeFsZip(dir, tree, 'raw.zip'));
    zip = claimUncompressedSize(zip, MMSSMS, 4096);
    const path = join(dir, 'lying.zip');
    writeFileSync(path, zip);
    const r = await ingested(path);
    expect(r.job.state).toBe('done');
    expect(searchMessages(r.store.db, {}).map((m) => m.source.file)).toEqual([MSGSTORE, HIDDEN]);
    expect(problems(r.store.db).find((p) => p.key === `${MMSSMS}#unreadable`)?.message).toMatch(
      /^not read: .*too many bytes/,
    );
    r.close();
  });

  it('keeps what was read before a tar is cut short, and says where it stopped', async () => {
    const dir = tempDir();
    const tar = tarBytes(androidTree(dir));
    const at = tar.indexOf(Buffer.from(HIDDEN));
    const path = join(dir, 'cut.tar');
    writeFileSync(path, tar.subarray(0, at + 512 + 3000));
    const r = await ingested(path);
    expect(r.job.state).toBe('done');
    expect(searchMessages(r.store.db, {}).map((m) => m.source.file)).toEqual([
      MMSSMS,
      MSGSTORE,
      MMSSMS,
    ]);
    expect(problems(r.store.db).map((p) => p.key)).toContain(`${HIDDEN}#unreadable`);
    expect(problems(r.store.db).find((p) => p.key === 'cut.tar#damaged')?.message).toMatch(
      /^the walk stopped after 4 entries: the tar stream ends inside/,
    );
    r.close();
  });

  it('does not open a SQLite file over 2 GiB at a path no rule knows, and says so', async () => {
    const dir = tempDir();
    const big = 'sdcard/Android/data/com.example/cache.db';
    const cache = otherDb(join(dir, 'b'));
    const db = new Database(cache);
    db.prepare('INSERT INTO prefs VALUES (?, ?)').run('blob', 'x'.repeat(100_000));
    db.close();
    // The header claims 3 GiB; the bytes end after the real file, past the 64 KiB looked at.
    const tar = claimTarSize(
      tarBytes({ [MMSSMS]: smsDb(join(dir, 'a'), ['read first']), [big]: cache }),
      big,
      3 * 2 ** 30,
    );
    const path = join(dir, 'big.tar');
    writeFileSync(path, tar.subarray(0, tar.length - 1024));
    const r = await ingested(path);
    expect(searchMessages(r.store.db, {}).map((m) => m.body)).toEqual(['read first']);
    expect(problems(r.store.db).find((p) => p.key === 'big.tar#damaged')?.message).toBe(
      `the walk stopped after 2 entries: the tar stream ends inside ${big}: it is truncated`,
    );
    expect(problems(r.store.db).find((p) => p.key === 'big.tar#summary')?.message).toBe(
      '2 files looked at; 1 read; 0 other SQLite databases match no format TOEX reads; 1 SQLite files over 2147483648 bytes, at no known path, were not opened',
    );
    r.close();
  });

  it('ends a database damaged part-way with a problem and goes on to the next', async () => {
    const dir = tempDir();
    const bodies = Array.from({ length: 3000 }, (_, i) => `row ${i} ${'x'.repeat(200)}`);
    const damaged = smsDb(join(dir, 'z'), bodies);
    const pages = readFileSync(damaged);
    // A page near the end of the sms table.
    const page = pages.length - 40 * 4096;
    pages.fill(0xa5, page, page + 4096);
    writeFileSync(damaged, pages);
    const r = await ingested(
      writeFsZip(dir, { [MMSSMS]: damaged, [HIDDEN]: smsDb(join(dir, 'h'), ['hidden copy']) }),
    );
    expect(r.job.state).toBe('done');
    const stopped = problems(r.store.db).find((p) => p.key === `${MMSSMS}#stopped`);
    expect(stopped?.message).toMatch(/^reading stopped: database disk image is malformed/);
    const kept = searchMessages(r.store.db, { limit: 10_000 });
    expect(kept.filter((m) => m.source.file === HIDDEN).map((m) => m.body)).toEqual([
      'hidden copy',
    ]);
    r.close();
  });

  it.each([
    ['a zip, the log after its database', (dir: string, tree: Tree) => writeFsZip(dir, tree)],
    [
      'a tar, the log before its database',
      (dir: string, tree: Tree) =>
        writeFsTar(dir, Object.fromEntries(Object.entries(tree).reverse())),
    ],
  ])(
    'replays a -wal file beside a database into its working copy before reading it (%s)',
    async (_what, write) => {
      const dir = tempDir();
      const { db, wal } = withPendingWal(
        smsDb(join(dir, 'w'), ['checkpointed']),
        `INSERT INTO sms (_id, thread_id, address, date, type, body)
         VALUES (2, 1, '${DEALER}', ${T0 + 5}, 1, 'only in the log')`,
      );
      const r = await ingested(write(dir, { [MMSSMS]: db, [`${MMSSMS}-wal`]: wal }));
      expect(searchMessages(r.store.db, {}).map((m) => m.body)).toEqual([
        'checkpointed',
        'only in the log',
      ]);
      expect(problems(r.store.db).find((p) => p.key === `${MMSSMS}#wal`)?.message).toBe(
        'the -wal file beside it was replayed into it before reading (1 frame)',
      );
      r.close();
    },
  );

  it('says so when a -wal file beside a database holds nothing it can replay', async () => {
    const dir = tempDir();
    const { db } = withPendingWal(
      smsDb(join(dir, 'w'), ['checkpointed']),
      `INSERT INTO sms (_id, thread_id, body) VALUES (9, 1, 'lost')`,
    );
    const tree = { [MMSSMS]: db, [`${MMSSMS}-wal`]: Buffer.alloc(4128, 1) };
    const r = await ingested(writeFsZip(dir, tree));
    expect(searchMessages(r.store.db, {}).map((m) => m.body)).toEqual(['checkpointed']);
    expect(problems(r.store.db).find((p) => p.key === `${MMSSMS}#wal`)?.message).toBe(
      'a -wal file lies beside it but holds no valid frames: nothing was replayed',
    );
    r.close();
  });

  it('resumes after its worker is killed mid-ingest, storing every message of the archive exactly once', async () => {
    const dir = tempDir();
    const sms: SmsFixture[] = Array.from({ length: 20000 }, (_, i) => ({
      thread: 1 + (i % 7),
      address: `07700 9${String(i % 50).padStart(5, '0')}`,
      date: T0 + i * 1000,
      type: 1,
      body: `message number ${i}`,
    }));
    const db = androidSmsDb(dir, {
      threads: Array.from({ length: 7 }, (_, i) => ({
        id: i + 1,
        addresses: [`07700 9${String(i).padStart(5, '0')}`],
      })),
      sms,
    });
    const file = writeFsTar(
      dir,
      { [MMSSMS]: db, [HIDDEN]: smsDb(join(dir, 'h'), ['hidden copy']) },
      { gzip: true },
    );
    let stored = () => 0;
    const host = killFirstWorkerWhen(() => stored() >= 500);
    const ctx = await workstationWithCase(tempDir());
    stored = () =>
      (ctx.store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    const { item } = await ctx.store.importEvidence(file);

    const job = await ctx.store.runner(host).run(ctx.store.queueIngest(item.id).id);

    expect(job).toMatchObject({ state: 'done', attempts: 2, result: { messages: 20001 } });
    const distinct = ctx.store.db.prepare('SELECT count(DISTINCT body) AS n FROM messages').get();
    expect(distinct).toEqual({ n: 20001 });
    ctx.store.close();
    ctx.workstation.close();
  });
});

describe('ingest of an iOS backup packed as a zip or tar', () => {
  const tempDir = useTempDirs();
  const ingested = (file: string) => ingestedInNewCase(tempDir(), file);

  function backup(
    dir: string,
    options: { encrypted?: boolean; binaryPlist?: boolean; manifestSqlite?: boolean } = {},
  ) {
    const sms = iosSmsDb(dir, {
      chats: [{ handles: ['+447700900123'], service: 'iMessage' }],
      messages: [
        {
          chat: 0,
          handle: '+447700900123',
          date: appleNs('2024-03-09T21:00:00Z'),
          fromMe: false,
          text: 'at the gate',
        },
      ],
    });
    return itunesBackupTree(
      dir,
      [
        { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', data: sms },
        {
          domain: 'HomeDomain',
          relativePath: 'Library/Preferences/com.apple.x.plist',
          data: Buffer.from('bplist00'),
        },
        {
          domain: 'AppDomain-com.example',
          relativePath: 'Documents/cache.sqlite',
          data: otherDb(join(dir, 'o')),
        },
      ],
      { folder: '00008030-001A2B3C4D5E6F70', ...options },
    );
  }

  it.each([
    ['zip', (dir: string, tree: Tree) => writeFsZip(dir, tree, 'backup.zip'), {}],
    ['tar', (dir: string, tree: Tree) => writeFsTar(dir, tree, { name: 'backup.tar' }), {}],
    [
      'tar, binary Manifest.plist',
      (dir: string, tree: Tree) => writeFsTar(dir, tree, { name: 'backup.tar' }),
      { binaryPlist: true },
    ],
  ])(
    'reads the databases Manifest.db names, pointing to their paths on the phone (%s)',
    async (_what, write, options) => {
      const dir = tempDir();
      const r = await ingested(write(dir, backup(dir, options)));
      expect(r.job).toMatchObject({ state: 'done', result: { format: 'archive.fs', messages: 1 } });
      expect(
        searchMessages(r.store.db, {}).map((m) => [m.body, m.source.file, m.source.table]),
      ).toEqual([['at the gate', 'HomeDomain/Library/SMS/sms.db', 'message']]);
      expect(problems(r.store.db).map((p) => p.message)).toEqual([
        'an iOS backup: Manifest.db lists 3 files, read by their paths on the phone',
        expect.stringMatching(/^read as .* \(ios\.sms\): .*1 message/),
        '6 files looked at; 1 read; 1 other SQLite databases match no format TOEX reads',
      ]);
      r.close();
    },
  );

  it.each([
    ['Manifest.db is not SQLite', { encrypted: true }],
    [
      'binary Manifest.plist says IsEncrypted',
      { encrypted: true, binaryPlist: true, manifestSqlite: true },
    ],
  ])('refuses an encrypted backup in one line (%s)', async (_what, options) => {
    const dir = tempDir();
    const r = await ingested(writeFsZip(dir, backup(dir, options)));
    expect(r.job).toMatchObject({
      state: 'failed',
      error: {
        kind: 'bad-input',
        message: expect.stringMatching(
          /^the iOS backup is encrypted; TOEX reads only unencrypted backups/,
        ),
      },
    });
    r.close();
  });

  const mvt = (name: string) => join(CORPUS, 'mobile', 'ios', 'mvt', name);
  const WA = 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared';
  it.skipIf(!existsSync(mvt('sms.db')))(
    'reads a backup of the corpus iOS files (mvt): its SMS and its WhatsApp chats, by their paths on the phone',
    async () => {
      const dir = tempDir();
      const tree = itunesBackupTree(dir, [
        { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', data: mvt('sms.db') },
        {
          domain: WA,
          relativePath: 'ChatStorage.sqlite',
          data: mvt('whatsapp_ChatStorage.sqlite'),
        },
        { domain: WA, relativePath: 'ContactsV2.sqlite', data: mvt('whatsapp_ContactsV2.sqlite') },
        {
          domain: 'HomeDomain',
          relativePath: 'Library/Calendar/Calendar.sqlitedb',
          data: mvt('Calendar.sqlitedb'),
        },
      ]);
      // The names the helper gives are those of the backup the files came from.
      expect(Object.keys(tree)).toContain('3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28');
      const r = await ingested(writeFsZip(dir, tree, 'iphone-backup.zip'));
      expect(r.job).toMatchObject({ state: 'done', result: { format: 'archive.fs', messages: 4 } });
      expect(searchMessages(r.store.db, { search: 'click' })).toMatchObject([
        {
          body: 'Please click here https://badbadbad.example.org/',
          source: { file: 'HomeDomain/Library/SMS/sms.db', table: 'message', rowId: 3 },
        },
      ]);
      expect(searchMessages(r.store.db, { search: 'welcome' })).toMatchObject([
        {
          body: 'Welcome',
          source: { file: `${WA}/ChatStorage.sqlite`, table: 'ZWAMESSAGE', rowId: 3 },
        },
      ]);
      expect(problems(r.store.db).map((p) => [p.key, p.message])).toEqual([
        ['Manifest.db#backup', expect.stringMatching(/^an iOS backup: Manifest.db lists 4 files/)],
        ['HomeDomain/Library/SMS/sms.db#read', expect.stringMatching(/\(ios\.sms\): .*1 message$/)],
        [`${WA}/ChatStorage.sqlite#read`, expect.stringMatching(/\(whatsapp\.ios\): .*3 messages/)],
        [
          'iphone-backup.zip#summary',
          '7 files looked at; 2 read; 2 other SQLite databases match no format TOEX reads',
        ],
      ]);
      r.close();
    },
  );
});

describe('ingest of an Android adb backup', () => {
  const tempDir = useTempDirs();
  const ingested = (file: string) => ingestedInNewCase(tempDir(), file);

  it.each([true, false])(
    "walks its tar for the apps' databases (compressed: %s)",
    async (compressed) => {
      const dir = tempDir();
      const tree = {
        'apps/com.android.providers.telephony/_manifest': Buffer.from('manifest'),
        'apps/com.android.providers.telephony/db/mmssms.db': smsDb(dir, ['from the backup']),
      };
      const r = await ingested(writeAdbBackup(dir, tree, { compressed }));
      expect(r.job).toMatchObject({
        state: 'done',
        result: { format: 'android.adb-backup', messages: 1 },
      });
      expect(searchMessages(r.store.db, {})[0]?.source.file).toBe(
        'apps/com.android.providers.telephony/db/mmssms.db',
      );
      r.close();
    },
  );

  it('refuses an encrypted one in one line', async () => {
    const dir = tempDir();
    const r = await ingested(
      writeAdbBackup(dir, { 'apps/x/f/a': Buffer.from('x') }, { encryption: 'AES-256' }),
    );
    expect(r.job).toMatchObject({
      state: 'failed',
      error: {
        kind: 'bad-input',
        message:
          'the adb backup is encrypted (AES-256); TOEX reads only backups made without a password',
      },
    });
    r.close();
  });

  const corpusAb = join(CORPUS, 'mobile', 'android', 'mvt', 'backup.ab');
  it.skipIf(!existsSync(corpusAb))(
    "reads the corpus adb backup: the telephony provider's SMS and MMS backup files, one message each",
    async () => {
      const r = await ingested(corpusAb);
      expect(r.job).toMatchObject({
        state: 'done',
        result: { format: 'android.adb-backup', messages: 2, threads: 2 },
      });
      const d = 'apps/com.android.providers.telephony/d_f';
      const all = searchMessages(r.store.db, {});
      expect(all.map((m) => [m.body, m.direction, m.sender, m.sentAt, m.source])).toEqual([
        [
          'Very suspicious MMS, click on this link http://google.com',
          'incoming',
          '+12345678',
          '2020-01-20T14:49:49.000Z',
          { file: `${d}/000001_mms_backup`, rowId: 0 },
        ],
        [
          'Hi this is a test message to https://google.com/',
          'outgoing',
          null,
          '2022-02-22T15:29:41.956Z',
          { file: `${d}/000000_sms_backup`, rowId: 0 },
        ],
      ]);
      const label =
        'read as Android telephony backup (adb backup *_sms_backup, *_mms_backup) (android.telephony-backup)';
      expect(problems(r.store.db).map((p) => [p.key, p.message])).toEqual([
        [`${d}/000001_mms_backup#read`, `${label}: 1 participant, 1 thread, 1 message`],
        [`${d}/000000_sms_backup#read`, `${label}: 1 participant, 1 thread, 1 message`],
        [
          'backup.ab#summary',
          '2 files looked at; 2 read; 0 other SQLite databases match no format TOEX reads',
        ],
      ]);
      r.close();
    },
  );
});
