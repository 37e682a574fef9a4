import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

import Database from 'better-sqlite3-multiple-ciphers';

import { ToexError, fromFsError, fromSqliteError } from '../errors.js';
import { KEY_BYTES } from './keyCrypto.js';

export type Db = Database.Database;

const PLAINTEXT_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface OpenDatabaseOptions {
  path: string;
  key: Buffer;
  /** Create a new database; refuses when anything is already at the path. */
  create: boolean;
  /** How errors name it: "the workstation database", "case OP-1's database". */
  label: string;
}

/**
 * Looks at a file before SQLite does, so a plaintext database or a stray file
 * is refused by name and never opened, let alone written to.
 */
function checkExistingFile(path: string, label: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ToexError('bad-input', `${label} is not a file`);
    size = stat.size;
  } catch (err) {
    throw fromFsError(err, `opening ${label}`);
  }
  if (size === 0) {
    throw new ToexError('storage', `${label} is empty (0 bytes); restore it from a backup`);
  }

  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.equals(PLAINTEXT_HEADER)) {
    throw new ToexError(
      'bad-input',
      `${label} is an unencrypted SQLite file, not a TOEX database; it was not opened`,
    );
  }
  if (size < 512) {
    throw new ToexError('storage', `${label} is too short to be a TOEX database (${size} bytes)`);
  }
}

/**
 * Not yet: bulk inserts run about 30% slower than plain SQLite on the same
 * data (npm run bench:store), against a goal of 15%. In WAL mode every page
 * passes the cipher three times (written to the WAL, read back at checkpoint,
 * written to the database) and SQLCipher's HMAC-SHA512 dominates that on this
 * class of CPU; no setting that keeps the cipher and its page HMAC closes it.
 *
 * Opens (or creates) a SQLCipher 4 database under a raw 256-bit key. The
 * passphrase never reaches SQLite: keys come from the keyring, so SQLCipher's
 * own key derivation is skipped and opening costs nothing extra.
 */
export function openEncryptedDatabase(options: OpenDatabaseOptions): Db {
  const { path, key, create, label } = options;
  if (key.length !== KEY_BYTES) {
    throw new ToexError('internal', `a database key must be ${KEY_BYTES} bytes`);
  }
  if (create && existsSync(path)) {
    throw new ToexError('conflict', `${label} already exists; it was left as it is`);
  }
  if (!create) checkExistingFile(path, label);

  let db: Db;
  try {
    db = new Database(path, { fileMustExist: !create });
  } catch (err) {
    throw fromSqliteError(err, label);
  }
  try {
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${key.toString('hex')}'"`);
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    db.close();
    const mapped = fromSqliteError(err, label);
    // TOEX never guesses a database key: it comes from the keyring, whose
    // authenticated wrapping has just proved it right. A file that will not
    // decrypt under it is damaged or is not the file it should be.
    if (mapped.kind === 'wrong-key') {
      throw new ToexError(
        'storage',
        `${label} does not decrypt with its key: it is damaged or not the file it should be; it was left untouched`,
        { cause: err },
      );
    }
    throw mapped;
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // A page that misses this cache is decrypted and its HMAC-SHA512 checked
    // on the way in, several times the cost of a plain read from the OS cache
    // (bench/store.ts), so the cache is worth more here than SQLite assumes:
    // up to 64 MiB per connection, taken only as pages are read.
    db.pragma('cache_size = -65536');
  } catch (err) {
    db.close();
    throw fromSqliteError(err, label);
  }
  return db;
}

/**
 * Runs `fn` in a transaction that takes the write lock as it begins (BEGIN
 * IMMEDIATE). A deferred one that reads first and writes later fails at once
 * with SQLITE_BUSY_SNAPSHOT when another process wrote in between, whatever
 * the busy timeout; an immediate one waits its turn under it.
 */
export function writeTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
