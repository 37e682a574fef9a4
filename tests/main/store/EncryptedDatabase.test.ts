import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';

import { openEncryptedDatabase } from '../../../main/store/EncryptedDatabase.js';
import { useTempDirs } from '../../helpers/temp.js';

const SECRET_TEXT = 'Meet at the car park behind the leisure centre 07700 900123';

/** Opens an existing file as TOEX would, under the given key or a random (wrong) one. */
const openExisting = (path: string, key: Buffer = randomBytes(32)) =>
  openEncryptedDatabase({ path, key, create: false, label: 'the test database' });

describe('EncryptedDatabase', () => {
  const tempDir = useTempDirs();

  function filled(rows = 1) {
    const path = join(tempDir(), 'case.db');
    const key = randomBytes(32);
    const db = openEncryptedDatabase({ path, key, create: true, label: 'the test database' });
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`${SECRET_TEXT} #${i} ${'padding '.repeat(20)}`);
    })();
    db.close();
    return { path, key };
  }

  it('writes no SQLite header and none of the inserted text to disk', () => {
    const { path } = filled(500);
    const bytes = Buffer.concat([
      readFileSync(path),
      ...[`${path}-wal`].flatMap((p) => {
        try {
          return [readFileSync(p)];
        } catch {
          return [];
        }
      }),
    ]);
    expect(bytes.length).toBeGreaterThan(4096);
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(bytes.includes(Buffer.from('leisure centre'))).toBe(false);
    expect(bytes.includes(Buffer.from('07700 900123'))).toBe(false);
    expect(bytes.includes(Buffer.from('CREATE TABLE'))).toBe(false);
  });

  it('reads back what was written with the right key, in WAL mode with foreign keys on', () => {
    const { path, key } = filled(3);
    const db = openExisting(path, key);
    expect(db.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 3 });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('cipher', { simple: true })).toBe('sqlcipher');
    db.close();
  });

  it('refuses a key that does not open the file with a clear error and leaves the file byte for byte as it was', () => {
    const { path } = filled(10);
    const before = readFileSync(path);
    expect(() => openExisting(path)).toThrow(
      /^the test database does not decrypt with its key: it is damaged or not the file it should be; it was left untouched$/,
    );
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses a plaintext SQLite file by name and does not touch it', () => {
    const path = join(tempDir(), 'plain.db');
    const plain = new Database(path);
    plain.exec(`CREATE TABLE t (x); INSERT INTO t VALUES ('${SECRET_TEXT}')`);
    plain.close();
    const before = readFileSync(path);
    expect(() => openExisting(path)).toThrow(/is an unencrypted SQLite file, not a TOEX database/);
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses a foreign file of random bytes and leaves it alone', () => {
    const path = join(tempDir(), 'foreign.bin');
    writeFileSync(path, randomBytes(8192));
    const before = readFileSync(path);
    expect(() => openExisting(path)).toThrow(/does not decrypt with its key/);
    expect(readFileSync(path)).toEqual(before);
  });

  it.each([
    ['empty', Buffer.alloc(0), /is empty/],
    ['a few bytes long', Buffer.from('hello'), /too short/],
  ])('refuses a file that is %s', (_why, content, message) => {
    const path = join(tempDir(), 'odd.db');
    writeFileSync(path, content);
    expect(() => openExisting(path)).toThrow(message);
    expect(statSync(path).size).toBe(content.length);
  });

  it('reports a truncated database as damaged, not as a wrong key, and does not rewrite it', () => {
    const { path, key } = filled(2000);
    const size = statSync(path).size;
    truncateSync(path, Math.floor(size / 2 / 4096) * 4096);
    const before = readFileSync(path);

    let error: unknown;
    try {
      const db = openExisting(path, key);
      try {
        db.prepare('SELECT count(*), max(length(body)) FROM notes').get();
      } finally {
        db.close();
      }
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ kind: 'storage', message: expect.stringMatching(/damaged/) });
    expect(readFileSync(path)).toEqual(before);
  });

  it('reports a zeroed file as damaged, not as a wrong key', () => {
    const { path, key } = filled(50);
    writeFileSync(path, Buffer.alloc(statSync(path).size));
    expect(() => openExisting(path, key)).toThrow(
      expect.objectContaining({
        kind: 'storage',
        message: expect.stringMatching(/does not decrypt with its key: it is damaged/),
      }),
    );
  });

  it('never creates over an existing file', () => {
    const { path, key } = filled(1);
    const before = readFileSync(path);
    expect(() =>
      openEncryptedDatabase({ path, key, create: true, label: 'the test database' }),
    ).toThrow(/already exists/);
    expect(readFileSync(path)).toEqual(before);
  });

  it('says so when the file is missing', () => {
    expect(() =>
      openEncryptedDatabase({
        path: join(tempDir(), 'nope.db'),
        key: randomBytes(32),
        create: false,
        label: 'the test database',
      }),
    ).toThrow(/no such file/);
  });
});
